"""Shared pytest helpers for the policy administration service's integration suite (conftest.py)."""
import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import pytest_asyncio
import requests
from aiohttp import web

BASE_URL = os.environ.get("POLICY_ADMIN_URL", "http://localhost:8040")
DSN = os.environ.get("POLICY_ADMIN_TEST_DSN", "postgresql://test:test@localhost:55432/policy_admin_test")
COMPOSE = ["docker", "compose", "-f", "tests/compose.yaml"]


def wait_for_port_sync(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not come up in {timeout}s")


async def seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute("truncate policies, endorsements, claims restart identity cascade")
            await conn.executemany(
                "insert into products (code, name, base_rate) values ($1, $2, $3) on conflict do nothing",
                [("HH-STD", "Household standard", 0.0031), ("LL-PRO", "Landlord pro", 0.0044)],
            )
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def stack():
    subprocess.run([*COMPOSE, "up", "-d", "--wait"], check=True)
    wait_for_port_sync(BASE_URL)
    asyncio.run(seed(DSN))
    yield BASE_URL
    if not os.environ.get("KEEP_STACK"):
        subprocess.run([*COMPOSE, "down", "-v"], check=True)


@pytest_asyncio.fixture
async def api(stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack, timeout=10) as client:
        yield client


@pytest_asyncio.fixture
async def db(stack) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(DSN)
    try:
        yield conn
    finally:
        await conn.close()


async def wait_until(api: httpx.AsyncClient, path: str, field: str, value, timeout: float = 15.0) -> dict:
    """Poll the service (it processes endorsements in its own worker) until `field` reaches `value`."""
    async with asyncio.timeout(timeout):
        while True:
            body = (await api.get(path)).json()
            if body.get(field) == value:
                return body
            await asyncio.sleep(0.2)


async def restart_worker() -> None:
    await asyncio.to_thread(subprocess.run, [*COMPOSE, "restart", "worker"], check=True)


@pytest_asyncio.fixture
async def fake_rating_engine() -> AsyncIterator[list[dict]]:
    calls: list[dict] = []

    async def price(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append(body)
        return web.json_response({"annual": round(body["sum_insured"] * 0.0031, 2)})

    app = web.Application()
    app.router.add_post("/price", price)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 8099)
    await site.start()
    try:
        yield calls
    finally:
        await runner.cleanup()


def issue_policy_sync(product: str, sum_insured: int) -> dict:
    """For the plain (non-async) smoke tests."""
    resp = requests.post(f"{BASE_URL}/policies", json={"product": product, "sum_insured": sum_insured}, timeout=10)
    resp.raise_for_status()
    return resp.json()
