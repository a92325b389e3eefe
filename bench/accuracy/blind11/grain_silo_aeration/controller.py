import asyncio
import contextlib
import logging
from datetime import datetime, timezone

import httpx

from . import weather
from .fans import RelayBoard
from .sensors import CableFeed, Silo

log = logging.getLogger("silo.controller")

STAGGER_S = 8
TARGET_EMC = 14.0
SILOS = {
    "north": Silo("north", fan_channels=[0, 1], cables=6),
    "south": Silo("south", fan_channels=[2, 3], cables=6),
    "bin7": Silo("bin7", fan_channels=[4], cables=3),
}


async def start_fans(board: RelayBoard, channels: list[int]) -> None:
    with board.lock:  # bug: ADC102
        for ch in channels:
            board.set_unlocked(ch, True)
            await asyncio.sleep(STAGGER_S)


def wants_air(silo: Silo, ambient_c: float, emc: float) -> bool:
    return silo.hottest - ambient_c >= 5.0 and emc <= TARGET_EMC


async def main(journal) -> None:
    board = await asyncio.to_thread(RelayBoard)
    board.start_watchdog()
    feed = asyncio.create_task(CableFeed(SILOS, journal).run(), name="cable-feed")
    try:
        async with httpx.AsyncClient(timeout=20) as client:
            for silo in SILOS.values():
                while not silo.cables_ready:  # bug: ADC503
                    await asyncio.sleep(0.5)
            last = datetime.now(timezone.utc)
            while True:
                temp, rh, last = await weather.fresh_observation(client, last)
                emc = weather.emc_wheat(temp, rh)
                wanted = [s for s in SILOS.values() if wants_air(s, temp, emc)]
                running = board.running()
                # one silo at a time: the cabinet supply can't take two fan starts at once
                for silo in wanted:
                    todo = [ch for ch in silo.fan_channels if ch not in running]
                    if todo:
                        log.info("aerating %s (EMC %.1f%%)", silo.name, emc)
                        await start_fans(board, todo)
                if not wanted and running:
                    await asyncio.to_thread(board.all_off)
    finally:
        feed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feed
        await asyncio.to_thread(board.all_off)
        await asyncio.to_thread(board.close)
