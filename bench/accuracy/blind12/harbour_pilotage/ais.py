"""Follows the AIS receiver on the pilot station roof.

Position reports of ships with a booked pilotage update their ETA at the
pilot boarding ground.
"""
import asyncio
import logging
import math

import asyncpg
from pyais import decode

log = logging.getLogger("pilotage.ais")

AIS_HOST, AIS_PORT = "10.4.0.20", 10110
BOARDING_GROUND = (51.9725, 1.4410)


def nm_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dlat, dlon) * 3440.065


async def follow(pool: asyncpg.Pool) -> None:
    while True:
        try:
            reader, writer = await asyncio.open_connection(AIS_HOST, AIS_PORT)
            try:
                async for line in reader:
                    try:
                        msg = decode(line.strip()).asdict()
                    except Exception:
                        continue
                    if msg.get("msg_type") not in (1, 2, 3) or not msg.get("speed"):
                        continue
                    miles = nm_between((msg["lat"], msg["lon"]), BOARDING_GROUND)
                    await pool.execute(
                        "UPDATE pilotages SET eta = now() + make_interval(mins => $2)"
                        " WHERE mmsi = $1 AND status = 'booked'",
                        msg["mmsi"], miles / msg["speed"] * 60,
                    )
            finally:
                writer.close()
                await writer.wait_closed()
        except OSError as exc:
            log.warning("AIS receiver unreachable (%s), retrying", exc)
            await asyncio.sleep(5)
        except asyncio.CancelledError:  # bug: ADC601
            log.info("AIS feed interrupted, reconnecting")
            await asyncio.sleep(1)
