"""Shared harness for integration suites: spins up the API against a scratch DB.

Imported from conftest.py of several repositories.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import socket
import uuid

import asyncpg
import httpx
import uvicorn

ADMIN_DSN = os.environ.get("TEST_ADMIN_DSN", "postgresql://postgres@localhost/postgres")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchDatabase:
    def __init__(self) -> None:
        self.name = f"test_{uuid.uuid4().hex[:12]}"
        self.dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + self.name

    async def create(self) -> None:
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await admin.close()
        atexit.register(self.drop)  # bug: ADC202

    async def drop(self) -> None:
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()

    def apply_schema_sync(self, schema_sql: str) -> None:
        async def _apply() -> None:
            conn = await asyncpg.connect(self.dsn)
            try:
                await conn.execute(schema_sql)
            finally:
                await conn.close()

        asyncio.get_event_loop().run_until_complete(_apply())


class LiveServer:
    def __init__(self, app, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, port=self.port, log_level="warning"))
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> "LiveServer":
        self._task = asyncio.create_task(self.server.serve())
        async with httpx.AsyncClient(base_url=self.url) as probe:
            for _attempt in range(200):
                if self._task.done():
                    self._task.result()
                try:
                    await probe.get("/healthz")
                    return self
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        raise RuntimeError(f"server on port {self.port} did not start")

    async def __aexit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task


async def scratch_environment(app, schema_sql: str):
    db = ScratchDatabase()
    await db.create()
    db.apply_schema_sync(schema_sql)  # bug: ADC103
    os.environ["DATABASE_URL"] = db.dsn
    async with LiveServer(app) as server, httpx.AsyncClient(base_url=server.url) as client:
        yield client
    await db.drop()
