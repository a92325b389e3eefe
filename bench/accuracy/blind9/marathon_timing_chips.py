"""Race timing: chip reads from the mats, splits to the live results service."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

log = logging.getLogger("timing")
RESULTS_API = "https://live.raceresults.example/api/events/{event}/splits"
WORKERS = 8


@dataclass(frozen=True)
class ChipRead:
    bib: int
    mat: str
    at: datetime


class SplitHub:
    """Publishes splits for the spectator app (a separate service subscribes)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def broadcast_split(self, read: ChipRead) -> None:
        payload = json.dumps({"bib": read.bib, "mat": read.mat, "at": read.at.isoformat()})
        await self.redis.publish("race:splits", payload)


class Timing:
    def __init__(self, event: str, session: aiohttp.ClientSession, redis: aioredis.Redis) -> None:
        self.url = RESULTS_API.format(event=event)
        self.session = session
        self.hub = SplitHub(redis)
        self.reads: asyncio.Queue[ChipRead] = asyncio.Queue()

    async def post_split(self, read: ChipRead) -> None:
        async with self.session.post(self.url, json={"bib": read.bib, "mat": read.mat, "t": read.at.isoformat()}) as r:
            r.raise_for_status()

    async def worker(self) -> None:
        while True:
            read = await self.reads.get()
            try:
                await self.post_split(read)
                self.hub.broadcast_split(read)  # bug: ADC201
            except aiohttp.ClientError:
                log.exception("split for bib %s not posted", read.bib)
            finally:
                self.reads.task_done()

    async def mat_listener(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mat = writer.get_extra_info("peername")[0]
        try:
            while line := await reader.readline():
                bib, stamp = line.decode().strip().split(";")
                self.reads.put_nowait(ChipRead(int(bib), mat, datetime.fromisoformat(stamp)))
        finally:
            writer.close()
            await writer.wait_closed()

    async def backfill(self, request: web.Request) -> web.Response:
        """Organisers upload the reader's full CSV after a network outage."""
        text = await request.text()
        reads = [ChipRead(int(r["bib"]), r["mat"], datetime.fromisoformat(r["time"]))
                 for r in csv.DictReader(io.StringIO(text))]
        async with asyncio.TaskGroup() as tg:
            for read in reads:
                tg.create_task(self.post_split(read))  # bug: ADC502
        return web.json_response({"posted": len(reads)})


async def main() -> None:
    redis = aioredis.Redis(host="redis", decode_responses=True)
    async with redis, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        timing = Timing("city-marathon-2026", session, redis)
        app = web.Application()
        app.router.add_post("/backfill", timing.backfill)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, "0.0.0.0", 8080).start()
            mats = await asyncio.start_server(timing.mat_listener, "0.0.0.0", 10000)
            async with mats, asyncio.TaskGroup() as tg:
                for _ in range(WORKERS):
                    tg.create_task(timing.worker())
                tg.create_task(mats.serve_forever())
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
