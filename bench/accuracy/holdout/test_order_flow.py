import asyncio
import sys
import time

import httpx
import pytest
import pytest_asyncio

from orders.app import create_app
from orders.pricing import price_with_tax


@pytest_asyncio.fixture
async def client():
    app = create_app(testing=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest_asyncio.fixture
async def worker():
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "orders.worker", "--testing")
    yield proc
    proc.terminate()
    await proc.wait()


def test_price_with_tax():
    assert price_with_tax(1000, "DE") == 1190


def test_price_cache_expires():
    price_with_tax.cache_ttl = 0.05
    price_with_tax(1000, "FR")
    time.sleep(0.1)
    assert price_with_tax.cache_info().currsize == 0


@pytest.mark.asyncio
async def test_create_order(client: httpx.AsyncClient):
    r = await client.post("/orders", json={"sku": "A-1", "qty": 2})
    assert r.status_code == 201
    assert r.json()["status"] == "new"


@pytest.mark.asyncio
async def test_order_is_processed(client: httpx.AsyncClient, worker):
    r = await client.post("/orders", json={"sku": "B-2", "qty": 1})
    order_id = r.json()["id"]
    time.sleep(1.0)  # bug: ADC101
    r = await client.get(f"/orders/{order_id}")
    assert r.json()["status"] == "processed"


@pytest.mark.asyncio
async def test_cancel_order(client: httpx.AsyncClient):
    r = await client.post("/orders", json={"sku": "C-3", "qty": 5})
    order_id = r.json()["id"]
    client.delete(f"/orders/{order_id}")  # bug: ADC201
    r = await client.get(f"/orders/{order_id}")
    assert r.status_code == 404


@pytest.mark.asyncio
async def test_parallel_orders_get_distinct_ids(client: httpx.AsyncClient):
    responses = await asyncio.gather(
        client.post("/orders", json={"sku": "D-4", "qty": 1}),
        client.post("/orders", json={"sku": "D-4", "qty": 1}),
        client.post("/orders", json={"sku": "D-4", "qty": 1}),
    )
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 3
