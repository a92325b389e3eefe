"""pytest helpers for the microscopy facility's booking service (pytest-asyncio)."""
from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager

from booking.app import create_app

TEST_DSN = os.environ.get("TEST_DSN", "postgresql://booking@localhost/booking_test")
SCHEMA = "booking/schema.sql"
_seq_lock = threading.Lock()
_seq = 0


def unique_name(prefix: str) -> str:
    global _seq
    with _seq_lock:
        _seq += 1
        return f"{prefix}-{os.getpid()}-{_seq}"


async def _reset_schema(sql: str) -> None:
    conn = await asyncpg.connect(TEST_DSN)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    with open(SCHEMA) as fh:
        sql = fh.read()
    asyncio.run(_reset_schema(sql))
    yield TEST_DSN


@pytest_asyncio.fixture
async def db(database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database)
    tx = conn.transaction()
    await tx.start()
    try:
        yield conn
    finally:
        await tx.rollback()
        await conn.close()


@pytest_asyncio.fixture
async def client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(dsn=database)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


@pytest_asyncio.fixture
async def instrument(db: asyncpg.Connection) -> dict:
    name = unique_name("confocal")
    row = await db.fetchrow(
        "INSERT INTO instruments (name, room, hourly_rate) VALUES ($1, 'B2.14', 42) RETURNING *", name
    )
    return dict(row)


async def wait_for_booking_state(client: httpx.AsyncClient, booking_id: int, state: str, timeout: float = 10) -> dict:
    """Bookings are approved by the service's background worker; poll the API for the result."""
    async with asyncio.timeout(timeout):
        while True:
            resp = await client.get(f"/bookings/{booking_id}")
            body = resp.json()
            if body["state"] == state:
                return body
            await asyncio.sleep(0.2)


async def make_bookings(client: httpx.AsyncClient, instrument_id: int, slots: list[str]) -> list[int]:
    """Create bookings in slot order: the service numbers overlapping requests by arrival."""
    ids = []
    for slot in slots:
        resp = await client.post("/bookings", json={"instrument_id": instrument_id, "slot": slot})
        resp.raise_for_status()
        ids.append(resp.json()["id"])
    return ids


@pytest_asyncio.fixture
async def approved_booking(client: httpx.AsyncClient, instrument: dict) -> dict:
    [booking_id] = await make_bookings(client, instrument["id"], ["2026-03-02T09:00"])
    return await wait_for_booking_state(client, booking_id, "approved")
