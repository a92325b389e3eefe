"""Waters each orchard block in turn, skipping blocks where rain is due."""
from __future__ import annotations

import asyncio
import logging
import signal

import aiohttp

from . import valves, weather
from .weather import Zone

log = logging.getLogger("irrigation.controller")
CYCLE_S = 15 * 60
ZONES = (
    Zone("apples-north", 1, 51.201, 4.402, 25),
    Zone("apples-south", 2, 51.199, 4.404, 25),
    Zone("pears", 3, 51.203, 4.399, 20),
    Zone("cherries", 4, 51.205, 4.397, 15),
)


class Controller:
    def __init__(self, host: str) -> None:
        self.host = host
        self.bus = None
        self.stop = asyncio.Event()
        self.running_zone: Zone | None = None

    def shutdown(self) -> None:
        self.stop.set()
        if self.running_zone is not None and self.bus is not None:
            valves.close_valve(self.bus, self.running_zone.valve_id)  # bug: ADC201

    async def water(self, zone: Zone) -> None:
        # the pump can only feed one block at a time, so blocks run one after another
        self.running_zone = zone
        await valves.open_valve(self.bus, zone.valve_id)
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=zone.minutes * 60)
        except TimeoutError:
            pass
        finally:
            await valves.close_valve(self.bus, zone.valve_id)
            self.running_zone = None

    async def cycle(self, session: aiohttp.ClientSession) -> None:
        rain = await asyncio.gather(*(weather.rain_next_24h(z) for z in ZONES))
        for zone, mm in zip(ZONES, rain):
            if self.stop.is_set():
                return
            if mm >= 4.0:
                log.info("skipping %s: %.1f mm forecast", zone.name, mm)
                continue
            # read the probe just before the block's turn: the previous block ran for up to 25 min
            vwc = await weather.soil_moisture(session, f"http://probe-{zone.valve_id}.orchard.lan/vwc")
            if vwc >= 0.32:
                log.info("skipping %s: soil at %.2f", zone.name, vwc)
                continue
            await self.water(zone)
        log.info("meter at %d l", await valves.flow_litres(self.bus))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.shutdown)
        self.bus = await valves.connect(self.host)
        async with aiohttp.ClientSession() as session:
            while not self.stop.is_set():
                try:
                    await self.cycle(session)
                except BaseException:  # bug: ADC601
                    log.exception("irrigation cycle failed")
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=CYCLE_S)
                except TimeoutError:
                    pass
        self.bus.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Controller("valvebox.orchard.lan").run())
