"""One control loop per kiln, plus the end-of-day export."""
import asyncio
import datetime as dt
import logging
import os

import aiohttp
import asyncpg
from pymodbus.client import AsyncModbusTcpClient

from . import history, kilns, probe

log = logging.getLogger("kilns.controller")

DB_DSN = os.environ.get("KILN_DSN", "postgresql://kilns@localhost/harvest")
KILNS = (
    kilns.Kiln("north-oast", "10.1.1.11", "/dev/ttyS1"),
    kilns.Kiln("south-oast", "10.1.1.12", "/dev/ttyS2"),
    kilns.Kiln("new-kiln", "10.1.1.13", "/dev/ttyUSB0"),
)
TARGET_MOISTURE = 9.5
AIR_ON_TARGET_C = 62.0
CYCLE_S = 120


async def run_kiln(kiln: kilns.Kiln, pool: asyncpg.Pool) -> None:
    client = AsyncModbusTcpClient(kiln.plc_host)
    await client.connect()
    try:
        while True:
            lot_id = await pool.fetchval("SELECT id FROM lots WHERE kiln = $1 AND finished IS NULL", kiln.name)
            if lot_id is None:
                await asyncio.sleep(CYCLE_S)
                continue
            state = await kilns.read_state(client)
            moisture = probe.read_moisture(kiln.probe_port)  # bug: ADC101
            await history.log_point(pool, lot_id, state, moisture)
            if moisture <= TARGET_MOISTURE:
                cooldown = asyncio.create_task(kilns.start_cooldown(client))  # bug: ADC302
                await cooldown
                await history.close_lot(pool, lot_id, moisture)
                log.info("%s: lot %s dry at %.1f%%", kiln.name, lot_id, moisture)
                continue
            error = AIR_ON_TARGET_C - state["air_on_c"]
            await kilns.set_burner(client, int(50 + 8 * error))
            await asyncio.sleep(CYCLE_S)
    finally:
        client.close()


async def nightly_export(pool: asyncpg.Pool) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        while True:
            now = dt.datetime.now()
            tonight = now.replace(hour=22, minute=0, second=0, microsecond=0)
            if tonight <= now:
                tonight += dt.timedelta(days=1)
            await asyncio.sleep((tonight - now).total_seconds())
            sent = await history.export_day(pool, session)
            log.info("%d drying curves sent to the merchant", sent)


async def main() -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=5)
    try:
        async with asyncio.TaskGroup() as tg:
            for kiln in KILNS:
                tg.create_task(run_kiln(kiln, pool))
            tg.create_task(nightly_export(pool))
    finally:
        await pool.close()
