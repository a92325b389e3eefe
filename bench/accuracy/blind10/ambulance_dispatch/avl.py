"""Automatic vehicle location: station list and the tracker provider's live feed."""
import asyncio
import json
import logging
import math

import asyncpg
import websockets

log = logging.getLogger(__name__)


async def load_stations(dsn: str) -> dict[str, tuple[float, float]]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)  # bug: ADC401
    rows = await pool.fetch("SELECT code, lat, lon FROM stations WHERE active")
    return {r["code"]: (r["lat"], r["lon"]) for r in rows}


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


async def follow_feed(board, url: str, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            async with websockets.connect(url, ping_interval=20) as ws:
                async for raw in ws:
                    fix = json.loads(raw)
                    board.update_position(fix["callsign"], fix["lat"], fix["lon"])
        except (OSError, websockets.ConnectionClosed) as exc:
            log.warning("AVL feed dropped (%s), reconnecting", exc)
            await asyncio.sleep(5)
