import asyncio
import contextlib
import json
import time

import asyncpg
import pytest
import pytest_asyncio
import websockets

from notifier.server import build_server
from notifier.throttle import Throttle

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def db(postgresql_dsn):
    pool = await asyncpg.create_pool(postgresql_dsn, min_size=1, max_size=2)
    try:
        await pool.execute("TRUNCATE notifications")
        yield pool
    finally:
        await pool.close()


@pytest_asyncio.fixture
async def server(db, unused_tcp_port):
    srv = await build_server(db, port=unused_tcp_port)
    task = asyncio.create_task(srv.serve_forever())
    try:
        yield f"ws://127.0.0.1:{unused_tcp_port}"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        srv.close()
        await srv.wait_closed()


async def test_receives_notification(server, db):
    async with websockets.connect(server + "/ws?user=7") as ws:
        await db.execute("INSERT INTO notifications (user_id, body) VALUES (7, 'hi')")
        msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=2))
    assert msg["body"] == "hi"


async def test_messages_arrive_in_order(server, db):
    async with websockets.connect(server + "/ws?user=8") as ws:
        for i in range(3):
            await db.execute("INSERT INTO notifications (user_id, body) VALUES (8, $1)", f"m{i}")
        got = [json.loads(await asyncio.wait_for(ws.recv(), timeout=2))["body"] for _ in range(3)]
    assert got == ["m0", "m1", "m2"]


async def test_two_clients_same_user(server, db):
    async with websockets.connect(server + "/ws?user=9") as a, websockets.connect(server + "/ws?user=9") as b:
        await db.execute("INSERT INTO notifications (user_id, body) VALUES (9, 'both')")
        ma, mb = await asyncio.gather(
            asyncio.wait_for(a.recv(), timeout=2), asyncio.wait_for(b.recv(), timeout=2)
        )
    assert json.loads(ma) == json.loads(mb)


@pytest.mark.parametrize("burst", [1, 5])
def test_throttle_sync(burst):
    t = Throttle(rate=100, burst=burst)
    start = time.monotonic()
    for _ in range(burst + 2):
        t.wait_sync()
    assert time.monotonic() - start < 0.5


def test_throttle_resets():
    t = Throttle(rate=1000, burst=1)
    t.wait_sync()
    time.sleep(0.01)
    assert t.available() == 1
