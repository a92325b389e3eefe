"""Test helpers shared by the integration tests of the orders service."""

import asyncio
import contextlib
import socket

import httpx
import pytest
import pytest_asyncio

from orders.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest_asyncio.fixture
async def client():
    app = create_app(testing=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def event_loop_policy():
    return asyncio.DefaultEventLoopPolicy()


@contextlib.asynccontextmanager
async def running_server(app, port: int):
    import uvicorn

    config = uvicorn.Config(app, port=port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        yield server
    finally:
        server.should_exit = True
        await task


def run(coro):
    """Run a coroutine from a plain (sync) test."""
    return asyncio.run(coro)


def test_health_sync():
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app())) as c:
            return (await c.get("http://test/health")).status_code

    assert run(go()) == 200


@pytest.mark.asyncio
async def test_create_order(client):
    resp = await client.post("/orders", json={"sku": "A-1", "qty": 2})
    assert resp.status_code == 201
    order_id = resp.json()["id"]
    resp = await client.get(f"/orders/{order_id}")
    assert resp.json()["qty"] == 2
