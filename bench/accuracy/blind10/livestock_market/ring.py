"""Sale ring clerk: weighs each lot, shows it on the screens, records the hammer price."""
import asyncio
import logging

import aiohttp
import asyncpg

from . import movements
from .screens import Screens
from .weighbridge import Weighbridge

log = logging.getLogger(__name__)

MARKET_CPH = "12/345/6789"


class SaleRing:
    def __init__(self, pool: asyncpg.Pool, http: aiohttp.ClientSession, screens: Screens):
        self.pool = pool
        self.http = http
        self.screens = screens
        self.scale = Weighbridge()
        self._bg: set[asyncio.Task] = set()

    async def check_zero(self) -> bool:
        """Run by the clerk before the first lot: the empty platform must read under 5 kg."""
        kg = await asyncio.to_thread(self.scale.read_stable_weight, samples=3)
        return abs(kg) < 5

    async def admit_lot(self, lot: dict) -> None:
        if not await movements.passport_ok(self.http, lot["eartag"]):
            raise ValueError(f"lot {lot['lot_no']}: passport problem, hold in pen")

    async def weigh_lot(self, lot: dict) -> float:
        kg = self.scale.read_stable_weight()  # bug: ADC101
        asyncio.create_task(self.screens.push_lot(lot, kg))  # bug: ADC301
        await self.pool.execute("UPDATE lots SET weight_kg = $1 WHERE id = $2", kg, lot["id"])
        return kg

    async def record_sale(self, lot: dict, pence_per_kg: int, buyer_id: int, buyer_name: str) -> None:
        await self.pool.execute(
            "UPDATE lots SET ppk = $1, buyer_id = $2, sold_at = now() WHERE id = $3",
            pence_per_kg, buyer_id, lot["id"],
        )
        t = asyncio.create_task(self.screens.push_price(lot["lot_no"], pence_per_kg, buyer_name))
        self._bg.add(t)
        t.add_done_callback(self._bg.discard)

    async def close_sale(self, sale_id: int) -> int:
        sold = await self.pool.fetch(
            "SELECT l.id, l.eartag, l.sold_at, s.cph AS seller_cph, b.cph AS buyer_cph "
            "FROM lots l JOIN sellers s ON s.id = l.seller_id JOIN buyers b ON b.id = l.buyer_id "
            "WHERE l.sale_id = $1 AND l.sold_at IS NOT NULL AND l.movement_ref IS NULL",
            sale_id,
        )
        refs = []
        for lot in sold:
            refs.append(await movements.report_sale(self.http, dict(lot), MARKET_CPH))  # bug: ADC501
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                for lot, ref in zip(sold, refs):
                    await conn.execute("UPDATE lots SET movement_ref = $1 WHERE id = $2", ref, lot["id"])
                await conn.execute("UPDATE sales SET closed_at = now() WHERE id = $1", sale_id)
        log.info("sale %s closed, %d movements reported", sale_id, len(refs))
        return len(refs)
