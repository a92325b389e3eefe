"""Schedules the next pass of each tracked satellite."""
import asyncio
import logging

from . import tle
from .radio import Rotator, record

log = logging.getLogger("ground_station")


class PassScheduler:
    def __init__(self, lat: float, lon: float, satellites: dict[int, int]) -> None:
        self.lat, self.lon = lat, lon
        self.satellites = satellites  # NORAD id -> downlink frequency in Hz
        self.recordings: list[asyncio.Task] = []

    async def track(self, sat, end) -> None:
        async with Rotator() as rot:
            while tle.ts.now() < end:
                az, el = tle.look_angles(sat, self.lat, self.lon, tle.ts.now())
                await rot.point(az, el)
                await asyncio.sleep(2)

    async def run_pass(self, norad_id: int, freq: int) -> None:
        sat = tle.fetch_tle(norad_id)  # bug: ADC101
        window = await asyncio.to_thread(tle.next_pass, sat, self.lat, self.lon)
        if window is None:
            return
        start, end = window
        await asyncio.sleep(max(0.0, (start.utc_datetime() - tle.ts.now().utc_datetime()).total_seconds()))
        seconds = (end.utc_datetime() - start.utc_datetime()).total_seconds()
        rec = asyncio.create_task(record(freq, seconds, f"/data/{norad_id}-{start.utc_strftime('%Y%m%dT%H%M')}.wav"))
        self.recordings.append(rec)
        asyncio.create_task(self.track(sat, end))  # bug: ADC301
        await rec

    async def forever(self) -> None:
        while True:
            try:
                async with asyncio.TaskGroup() as tg:
                    for norad_id, freq in self.satellites.items():
                        tg.create_task(self.run_pass(norad_id, freq))
            except asyncio.CancelledError:  # bug: ADC601
                log.info("pass cycle interrupted, rescheduling")
            except ExceptionGroup as eg:
                log.error("pass cycle failed: %s", eg.exceptions)
                await asyncio.sleep(30)
