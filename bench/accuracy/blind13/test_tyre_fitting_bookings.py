"""pytest-asyncio suite for the Tread & Go tyre fitting booking service.

The app is driven through httpx's ASGI transport. The tyre wholesaler and
the SMS gateway are replaced by a small aiohttp test server that records
what it receives.
"""
import asyncio
import json
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

from tyreshop.app import create_app

BAYS = 4


class FakeUpstream:
    def __init__(self) -> None:
        self.sms: list[dict] = []
        self.orders: list[dict] = []
        self.sms_arrived = asyncio.Event()
        self.release_stock = asyncio.Event()

    async def stock(self, request: web.Request) -> web.Response:
        await self.release_stock.wait()  # lets a test hold the wholesaler's answer back
        return web.json_response({"sku": request.match_info["sku"], "available": 8, "eta_hours": 2})

    async def order(self, request: web.Request) -> web.Response:
        self.orders.append(await request.json())
        return web.json_response({"order": len(self.orders)}, status=201)

    async def send_sms(self, request: web.Request) -> web.Response:
        self.sms.append(await request.json())
        self.sms_arrived.set()
        return web.json_response({"queued": True})


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "bays.json"
    path.write_text(json.dumps([{"bay": n, "lift": "2-post"} for n in range(1, BAYS + 1)]))
    return path


@pytest_asyncio.fixture
async def upstream():
    fake = FakeUpstream()
    app = web.Application()
    app.add_routes([
        web.get("/stock/{sku}", fake.stock),
        web.post("/orders", fake.order),
        web.post("/sms", fake.send_sms),
    ])
    server = TestServer(app)
    await server.start_server()
    fake.url = str(server.make_url(""))
    try:
        yield fake
    finally:
        await server.close()


@pytest_asyncio.fixture
async def db(postgresql_dsn):
    pool = await asyncpg.create_pool(postgresql_dsn, max_size=4)
    try:
        await pool.execute("TRUNCATE bookings, bays RESTART IDENTITY")
        yield pool
    finally:
        await pool.close()


@pytest_asyncio.fixture
async def client(db, upstream, seed_file):
    app = create_app(pool=db, wholesaler_url=upstream.url, sms_url=f"{upstream.url}/sms", seed=seed_file)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def book(client: httpx.AsyncClient, reg: str, slot: str = "2026-04-02T09:00") -> httpx.Response:
    return await client.post("/bookings", json={"reg": reg, "slot": slot, "sku": "205-55R16-91V", "qty": 2})


@pytest.mark.asyncio
async def test_fifth_booking_in_a_slot_is_refused(client, upstream):
    upstream.release_stock.set()
    # The bays fill in order: each booking sees the ones before it.
    for n in range(BAYS):
        assert (await book(client, f"AB{n}CDE")).status_code == 201
    resp = await book(client, "ZZ99ZZZ")
    assert resp.status_code == 409


@pytest.mark.asyncio
async def test_two_customers_race_for_the_last_bay(client, upstream):
    upstream.release_stock.set()
    for n in range(BAYS - 1):
        assert (await book(client, f"CD{n}EFG")).status_code == 201
    first, second = await asyncio.gather(book(client, "RACE1"), book(client, "RACE2"))
    assert sorted([first.status_code, second.status_code]) == [201, 409]


@pytest.mark.asyncio
async def test_booking_waits_for_the_wholesaler(client, upstream):
    pending = asyncio.create_task(book(client, "SLOW123"))
    await asyncio.sleep(0.1)
    assert not pending.done()
    upstream.release_stock.set()
    resp = await asyncio.wait_for(pending, timeout=5)
    assert resp.status_code == 201
    assert upstream.orders == [{"sku": "205-55R16-91V", "qty": 2, "reference": resp.json()["booking"]}]


@pytest.mark.asyncio
async def test_confirmation_text_is_sent(client, upstream):
    upstream.release_stock.set()
    resp = await book(client, "TXT4567")
    assert resp.status_code == 201
    await asyncio.wait_for(upstream.sms_arrived.wait(), timeout=2)
    assert "TXT4567" in upstream.sms[0]["body"]
