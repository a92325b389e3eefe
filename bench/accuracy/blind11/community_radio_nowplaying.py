"""Now-playing for Riverside FM 104.7: Icecast -> RDS encoder, website listeners, PPL play log."""
import asyncio
import json
import logging
import signal
from datetime import datetime, timezone

import aiosqlite
import websockets
from requests import get as http_get

log = logging.getLogger("nowplaying")

ICECAST_STATUS = "http://stream.riversidefm.local:8000/status-json.xsl"
RDS_ENCODER = ("rds-enc.studio.local", 7001)
STATION_PS = "RIVERSDE"
IDENT_EVERY_S = 900


class NowPlaying:
    def __init__(self) -> None:
        self.current = ""
        self.track_changed = False
        self.listeners: set = set()
        self.rds_queue: asyncio.Queue[str] = asyncio.Queue()

    async def poll_icecast(self) -> None:
        while True:
            stats = http_get(ICECAST_STATUS, timeout=5).json()  # bug: ADC101
            source = stats["icestats"]["source"]
            if isinstance(source, list):
                source = next(s for s in source if s["listenurl"].endswith("/live"))
            title = source.get("title", "").strip()
            if title and title != self.current:
                self.current = title
                self.track_changed = True
                await self.rds_queue.put(f"RT={title[:64]}")
                websockets.broadcast(self.listeners, json.dumps({"now_playing": title}))
            await asyncio.sleep(5)

    async def rds_writer(self) -> None:
        reader, writer = await asyncio.open_connection(*RDS_ENCODER)
        try:
            while True:
                command = await self.rds_queue.get()
                writer.write(command.encode("latin-1", "replace") + b"\r\n")
                await writer.drain()
                reply = await reader.readline()
                if not reply.startswith(b"+"):
                    log.warning("encoder refused %r: %r", command, reply)
        finally:
            writer.close()
            await writer.wait_closed()

    async def play_logger(self, db_path: str = "/var/lib/nowplaying/plays.db") -> None:
        async with aiosqlite.connect(db_path) as db:
            while True:
                while not self.track_changed:  # bug: ADC503
                    await asyncio.sleep(0.25)
                self.track_changed = False
                artist, _, title = self.current.partition(" - ")
                await db.execute(
                    "insert into plays (played_at, artist, title) values (?, ?, ?)",
                    (datetime.now(timezone.utc).isoformat(), artist, title),
                )
                await db.commit()

    async def rotate_station_id(self) -> None:
        await self.rds_queue.put(f"DPS={STATION_PS}")
        await asyncio.sleep(10)
        await self.rds_queue.put(f"RT={self.current[:64]}")

    def traffic_flag(self, on: bool) -> None:
        self.rds_queue.put_nowait(f"TA={int(on)}")

    async def listener(self, ws) -> None:
        self.listeners.add(ws)
        try:
            await ws.send(json.dumps({"now_playing": self.current}))
            await ws.wait_closed()
        finally:
            self.listeners.discard(ws)


async def main() -> None:
    radio = NowPlaying()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, radio.traffic_flag, True)
    loop.add_signal_handler(signal.SIGUSR2, radio.traffic_flag, False)
    loop.call_later(IDENT_EVERY_S, radio.rotate_station_id)  # bug: ADC202
    async with websockets.serve(radio.listener, "0.0.0.0", 8765):
        workers = [
            asyncio.create_task(radio.poll_icecast()),
            asyncio.create_task(radio.rds_writer()),
            asyncio.create_task(radio.play_logger()),
        ]
        await stop.wait()
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
