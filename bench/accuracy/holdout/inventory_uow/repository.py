from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import StockLevel


class StockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def level(self, sku: str, warehouse: str) -> StockLevel:
        row = await self.session.get(StockLevel, (sku, warehouse))
        if row is None:
            row = StockLevel(sku=sku, warehouse=warehouse, qty=0)
            self.session.add(row)
        return row

    async def all_for(self, warehouse: str) -> list[StockLevel]:
        res = await self.session.scalars(select(StockLevel).where(StockLevel.warehouse == warehouse))
        return list(res)
