"""APRS-IS gateway for the club's vehicle tracker.

Reads packets from an APRS-IS server with a range filter, sends positions
to the tracker API and weather reports to the club's weather page.
"""
import asyncio
import logging

import aiohttp
import aprslib

log = logging.getLogger("aprs")

SERVERS = ("euro.aprs2.net", "noam.aprs2.net")
CALLSIGN, PASSCODE = "N0CALL-10", "-1"
FILTER = "r/52.37/4.90/150"
TRACKER_API = "https://tracker.club.example/api/positions"
WX_API = "https://tracker.club.example/api/weather"


async def probe_server(host: str) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, 14580), 5)  # bug: ADC401
        banner = await asyncio.wait_for(reader.readline(), 5)
    except (OSError, asyncio.TimeoutError):
        return False
    return banner.startswith(b"# aprsc")


class Gateway:
    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http
        self.positions: asyncio.Queue[dict] = asyncio.Queue(maxsize=1000)
        self.weather: asyncio.Queue[dict] = asyncio.Queue(maxsize=100)

    async def read_loop(self, host: str) -> None:
        reader, writer = await asyncio.open_connection(host, 14580)
        try:
            writer.write(f"user {CALLSIGN} pass {PASSCODE} vers clubgw 0.9 filter {FILTER}\r\n".encode())
            await writer.drain()
            while line := await reader.readline():
                if line.startswith(b"#"):
                    continue
                try:
                    packet = aprslib.parse(line.decode("latin-1").strip())
                except (aprslib.ParseError, aprslib.UnknownFormat):
                    continue
                if "weather" in packet:
                    self.weather.put(packet)  # bug: ADC201
                elif "latitude" in packet:
                    await self.positions.put(packet)
        finally:
            writer.close()
            await writer.wait_closed()

    async def post_worker(self, queue: asyncio.Queue, url: str) -> None:
        while True:
            packet = await queue.get()
            try:
                async with self.http.post(url, json=packet) as resp:
                    resp.raise_for_status()
            except aiohttp.ClientError as exc:
                log.warning("post failed: %s", exc)
            finally:
                queue.task_done()

    async def reader_supervisor(self) -> None:
        while True:
            alive = await asyncio.gather(*(probe_server(h) for h in SERVERS))
            ok = [h for h, up in zip(SERVERS, alive) if up]
            try:
                await self.read_loop(ok[0] if ok else SERVERS[0])
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                log.warning("connection lost: %s", exc)
            except asyncio.CancelledError:  # bug: ADC601
                log.info("read loop cancelled, reconnecting")
            await asyncio.sleep(5)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.reader_supervisor())
            for _ in range(3):
                tg.create_task(self.post_worker(self.positions, TRACKER_API))
            tg.create_task(self.post_worker(self.weather, WX_API))


async def main() -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        await Gateway(http).run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
