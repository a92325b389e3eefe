"""Feed barge controller for the Loch Creran salmon site: one blower, a rotary selector, eight pens."""
import asyncio
import logging
import os
from datetime import datetime

import asyncpg
import httpx
from pymodbus.client import AsyncModbusTcpClient

log = logging.getLogger("feedbarge")

PLC_HOST = "barge-plc.site.lan"
SELECTOR_REG = 100      # holding register: pen number for the rotary selector
BLOWER_COIL = 10
DOSER_RATE_REG = 110    # kg/min * 10
SELECTOR_DONE_INPUT = 4
MAX_WAVE_M = 2.5
MARINE = "https://marine-forecast.example/api/v1/point?lat=56.52&lon=-5.39"


class Barge:
    def __init__(self, plc: AsyncModbusTcpClient) -> None:
        self.plc = plc
        self._line = asyncio.Lock()

    async def select_pen(self, pen: int) -> None:
        await self.plc.write_register(SELECTOR_REG, pen, slave=1)
        async with asyncio.timeout(45):
            while not (await self.plc.read_discrete_inputs(SELECTOR_DONE_INPUT, count=1, slave=1)).bits[0]:
                await asyncio.sleep(0.5)

    async def feed_pen(self, pen: int, kg: float, rate_kg_min: float) -> None:
        async with self._line:
            await self.select_pen(pen)
            await self.plc.write_register(DOSER_RATE_REG, int(rate_kg_min * 10), slave=1)
            await self.plc.write_coil(BLOWER_COIL, True, slave=1)
            try:
                await asyncio.sleep(kg / rate_kg_min * 60)
            except asyncio.CancelledError:
                log.warning("feeding of pen %s interrupted", pen)
                raise
            finally:
                await self.plc.write_coil(BLOWER_COIL, False, slave=1)


async def wave_height(http: httpx.AsyncClient) -> float:
    resp = await http.get(MARINE)
    resp.raise_for_status()
    return resp.json()["hourly"]["wave_height"][datetime.now().hour]


async def feeding_round(pool: asyncpg.Pool, barge: Barge, http: httpx.AsyncClient) -> None:
    if await wave_height(http) > MAX_WAVE_M:
        log.info("sea too rough for the feed line, skipping this round")
        return
    plan = await pool.fetch(
        "select pen, kg_per_meal, rate_kg_min from feed_plan where meal_date = current_date"
        " and not done and meal_time <= localtime order by meal_time, pen"
    )
    # a single blower and selector: pens are fed one after another
    for row in plan:
        await barge.feed_pen(row["pen"], row["kg_per_meal"], row["rate_kg_min"])
        await pool.execute(
            "update feed_plan set done = true, fed_at = now() where pen = $1 and meal_date = current_date"
            " and not done and meal_time <= localtime",
            row["pen"],
        )


async def main() -> None:
    plc = AsyncModbusTcpClient(PLC_HOST, port=502, timeout=5)
    pool = await asyncpg.create_pool(os.environ["FARM_DSN"], max_size=2)
    try:
        await plc.connect()
        barge = Barge(plc)
        async with httpx.AsyncClient(timeout=20) as http:
            while True:
                try:
                    await feeding_round(pool, barge, http)
                except (httpx.HTTPError, asyncpg.PostgresError, TimeoutError) as exc:
                    log.error("feeding round failed: %s", exc)
                await asyncio.sleep(300)
    finally:
        plc.close()
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
