from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Reservation, StockItem

logger = logging.getLogger(__name__)


class OutOfStock(Exception):
    pass


class InventoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, sku: str) -> StockItem | None:
        result = await self.session.execute(select(StockItem).where(StockItem.sku == sku))
        return result.scalar_one_or_none()

    async def reserve(self, sku: str, qty: int, order_id: int) -> Reservation:
        item = await self.get(sku)
        if item is None or item.available < qty:
            raise OutOfStock(sku)
        await self.session.execute(
            update(StockItem)
            .where(StockItem.sku == sku)
            .values(available=StockItem.available - qty)
        )
        reservation = Reservation(sku=sku, qty=qty, order_id=order_id,
                                  created_at=datetime.now(timezone.utc))
        self.session.add(reservation)
        self.session.commit()  # bug: ADC201
        logger.info("reserved %d x %s for order %d", qty, sku, order_id)
        return reservation

    async def release(self, reservation: Reservation) -> None:
        await self.session.execute(
            update(StockItem)
            .where(StockItem.sku == reservation.sku)
            .values(available=StockItem.available + reservation.qty)
        )
        await self.session.delete(reservation)
        await self.session.commit()
