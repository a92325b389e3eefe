"""Main loop: poll the range every ten minutes and warn the patrollers."""
import asyncio
import datetime as dt
import logging
import os

import asyncpg

from . import sms
from .radio import RadioLink
from .stations import Network

log = logging.getLogger("avalanche.monitor")

DB_DSN = os.environ.get("SNOW_DSN", "postgresql://snow@localhost/stations")
STATIONS = ["GRAT", "FURGG", "ALPJA", "HOHBALM", "LENGTAL", "SCHWARZSEE"]
PATROL_NUMBERS = os.environ.get("PATROL_NUMBERS", "").split(",")
NEW_SNOW_CM = 30
GUST_KMH = 70


async def record(pool: asyncpg.Pool, reading: dict) -> int:
    return await pool.fetchval(
        "WITH prev AS (SELECT snow_depth_cm FROM readings WHERE station = $1"
        " AND ts < now() - interval '24 hours' ORDER BY ts DESC LIMIT 1)"
        " INSERT INTO readings (station, ts, snow_depth_cm, air_temp_c, wind_kmh, gust_kmh)"
        " VALUES ($1, now(), $2, $3, $4, $5)"
        " RETURNING $2 - coalesce((SELECT snow_depth_cm FROM prev), $2)",
        reading["station"], reading["snow_depth_cm"], reading["air_temp_c"],
        reading["wind_kmh"], reading["gust_kmh"],
    )


async def main() -> None:
    loop = asyncio.get_running_loop()
    link = await asyncio.to_thread(RadioLink, "/dev/ttyUSB0", loop)
    link.start()
    network = Network(link, STATIONS)
    pool = await asyncpg.create_pool(DB_DSN, max_size=2)
    syncing = asyncio.create_task(network.sync_clocks())
    try:
        while not network.synced:  # bug: ADC503
            await asyncio.sleep(0.2)
        while True:
            warnings = []
            for station in network.stations:
                reading = await network.poll(station)
                if reading is None:
                    log.warning("%s did not answer", station)
                    continue
                new_snow = await record(pool, reading)
                if new_snow >= NEW_SNOW_CM and reading["gust_kmh"] >= GUST_KMH:
                    warnings.append(f"{station}: {new_snow} cm new snow, gusts {reading['gust_kmh']} km/h")
            if warnings:
                sms.send_sms(PATROL_NUMBERS, "Wind slab danger\n" + "\n".join(warnings))  # bug: ADC101
            now = dt.datetime.now()
            if now.hour == 6 and now.minute < 10:
                summary = f"Daily check: {len(network.stations)} stations polled."
                await asyncio.to_thread(sms.send_sms, PATROL_NUMBERS[:1], summary)
            await asyncio.sleep(600)
    finally:
        await syncing
        await pool.close()
        await asyncio.to_thread(link.close)
