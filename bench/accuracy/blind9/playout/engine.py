"""Feeds the Liquidsoap request queue over its telnet interface."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from . import library
from .asrun import AsRunLog

log = logging.getLogger("playout.engine")


class PlayoutEngine:
    def __init__(self, pool: asyncpg.Pool, ls_host: str = "127.0.0.1", ls_port: int = 1234) -> None:
        self.pool = pool
        self.ls_host, self.ls_port = ls_host, ls_port
        self.asrun = AsRunLog(pool)
        self.ready: asyncio.Queue[library.Item] = asyncio.Queue(maxsize=3)
        self._prefetch_task: asyncio.Task | None = None
        self._flush_task: asyncio.Task | None = None

    async def _ls(self, writer: asyncio.StreamWriter, reader: asyncio.StreamReader, cmd: str) -> str:
        writer.write(f"{cmd}\n".encode())
        await writer.drain()
        return (await reader.readuntil(b"END\n")).decode()

    async def _liquidsoap_heartbeat(self) -> None:
        while True:
            reader, writer = await asyncio.open_connection(self.ls_host, self.ls_port)
            try:
                await self._ls(writer, reader, "uptime")
            finally:
                writer.close()
                await writer.wait_closed()
            await asyncio.sleep(30)

    async def _next_from_clock(self) -> library.Item:
        row = await self.pool.fetchrow("SELECT * FROM next_clock_item()")
        return library.Item(row["id"], row["path"], row["title"], row["artist"], row["duration"])

    async def _prefetch(self) -> None:
        while True:
            item = await self._next_from_clock()
            if item.gain_db is None:
                item.gain_db = await asyncio.to_thread(library.measure_loudness, item.path)
            await self.ready.put(item)

    async def play_jingle(self, writer, reader, path: str) -> None:
        gain = library.measure_loudness(path)  # bug: ADC101
        await self._ls(writer, reader, f'request.push annotate:liq_amplify="{gain}dB":{path}')

    async def run(self) -> None:
        self._prefetch_task = asyncio.create_task(self._prefetch())
        self._flush_task = asyncio.create_task(self.asrun.flush_forever())
        asyncio.create_task(self._liquidsoap_heartbeat())  # bug: ADC301
        reader, writer = await asyncio.open_connection(self.ls_host, self.ls_port)
        try:
            while True:
                item = await self.ready.get()
                await self._ls(writer, reader, f'request.push annotate:liq_amplify="{item.gain_db}dB":{item.path}')
                self.asrun.record(item.item_id)
                if item.item_id % 4 == 0:
                    await self.play_jingle(writer, reader, "/srv/jingles/station-id.flac")
                await asyncio.sleep(max(item.duration_s - 5, 1))
        finally:
            for task in (self._prefetch_task, self._flush_task):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            writer.close()
            await writer.wait_closed()
