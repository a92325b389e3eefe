"""pytest helpers for the sample-tracking LIMS of a genetics lab (conftest plugin).

Integration tests start a fake plate reader (TCP) and talk to the LIMS API
under test; sync tests of the report builder use `run_sync`.
"""
from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
import pytest_asyncio

T = TypeVar("T")
LIMS_URL = os.environ.get("LIMS_TEST_URL", "http://localhost:8000")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """For plain (sync) tests that need one async call; never called from a coroutine."""
    return asyncio.run(coro)


class FakePlateReader:
    """Answers READ <plate> with 96 absorbance values, like the real reader's TCP API."""

    def __init__(self) -> None:
        self.plates: dict[str, list[float]] = {}
        self.requests = 0
        self._count_lock = threading.Lock()  # read by sync assertions in other threads
        self.server: asyncio.Server | None = None

    def count(self) -> None:
        with self._count_lock:
            self.requests += 1

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                plate = line.decode().split()[1]
                self.count()
                writer.write((json.dumps(self.plates.get(plate, [0.0] * 96)) + "\n").encode())
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()


@pytest_asyncio.fixture
async def plate_reader() -> AsyncIterator[FakePlateReader]:
    fake = FakePlateReader()
    fake.server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    async with fake.server:
        yield fake


@pytest_asyncio.fixture
async def db() -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(os.environ["LIMS_TEST_DSN"])
    tx = conn.transaction()
    await tx.start()
    try:
        yield conn
    finally:
        await tx.rollback()
        await conn.close()


@pytest_asyncio.fixture
async def lims() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=LIMS_URL, timeout=10) as client:
        yield client


async def wait_until_processed(client: httpx.AsyncClient, sample_id: str, timeout: float = 30) -> dict:
    """The LIMS processes samples in its own worker; poll its API until the sample settles."""
    async with asyncio.timeout(timeout):
        while True:
            resp = await client.get(f"/samples/{sample_id}")
            resp.raise_for_status()
            if resp.json()["status"] in ("processed", "failed"):
                return resp.json()
            await asyncio.sleep(0.25)


@pytest.fixture
def seeded_sample_id() -> str:
    async def _seed() -> str:
        async with httpx.AsyncClient(base_url=LIMS_URL) as client:
            resp = await client.post("/samples", json={"kind": "blood", "barcode": "TEST-0001"})
            return resp.json()["id"]

    return run_sync(_seed())
