"""Class bookings and waitlists for the Ironbark gyms (FastAPI).

When a member drops out of a full class, the first person on the waitlist
takes the place and gets a push notification. After a class's capacity is
raised in the back office, ops send SIGUSR1 to promote everyone who now fits.
"""
import asyncio
import logging
import os
import signal
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request

log = logging.getLogger("ironbark")
PUSH_API = "https://push.notify-gateway.example/v1/messages"
PROMOTE_ALL = """
WITH free AS (
    SELECT c.id, c.capacity - count(b.id) AS places FROM classes c
    LEFT JOIN bookings b ON b.class_id = c.id WHERE c.starts > now() GROUP BY c.id
), picked AS (
    SELECT w.id, w.class_id, w.member_id FROM waitlist w JOIN free f ON f.id = w.class_id
    WHERE (SELECT count(*) FROM waitlist w2 WHERE w2.class_id = w.class_id AND w2.joined < w.joined) < f.places
), moved AS (
    DELETE FROM waitlist WHERE id IN (SELECT id FROM picked) RETURNING class_id, member_id
)
INSERT INTO bookings (class_id, member_id) SELECT class_id, member_id FROM moved
RETURNING member_id, (SELECT name FROM classes WHERE id = class_id) AS class_name
"""


class Waitlist:
    def __init__(self, pool: asyncpg.Pool, push: httpx.AsyncClient) -> None:
        self.pool = pool
        self.push = push

    async def _post(self, member_id: int, title: str, body: str) -> None:
        payload = {"external_user_id": str(member_id), "title": title, "body": body}
        resp = await self.push.post(PUSH_API, json=payload)
        resp.raise_for_status()

    async def send_push(self, member_id: int, title: str, body: str) -> None:
        limit = asyncio.Semaphore(5)  # bug: ADC504
        async with limit:  # the gateway allows five requests in flight per app key
            await self._post(member_id, title, body)

    async def promote(self, class_id: int) -> int | None:
        async with self.pool.acquire() as conn, conn.transaction():
            cls = await conn.fetchrow("SELECT name, starts, capacity FROM classes WHERE id = $1 FOR UPDATE", class_id)
            booked = await conn.fetchval("SELECT count(*) FROM bookings WHERE class_id = $1", class_id)
            if cls is None or booked >= cls["capacity"]:
                return None
            member = await conn.fetchval(
                "DELETE FROM waitlist WHERE id = (SELECT id FROM waitlist WHERE class_id = $1"
                " ORDER BY joined LIMIT 1) RETURNING member_id",
                class_id,
            )
            if member is None:
                return None
            await conn.execute("INSERT INTO bookings (class_id, member_id) VALUES ($1, $2)", class_id, member)
        await self.send_push(member, "You're in!", f"A place opened up in {cls['name']} at {cls['starts']:%H:%M}.")
        return member

    async def promote_all(self) -> int:
        rows = await self.pool.fetch(PROMOTE_ALL)
        limit = asyncio.Semaphore(5)

        async def tell(row) -> None:
            async with limit:
                await self._post(row["member_id"], "You're in!", f"A place opened up in {row['class_name']}.")

        await asyncio.gather(*(tell(row) for row in rows))
        return len(rows)


def install_signal_handlers(app: FastAPI) -> None:
    def on_sigusr1() -> None:
        log.info("SIGUSR1: promotion sweep")
        app.state.waitlist.promote_all()  # bug: ADC201

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, on_sigusr1)


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = await asyncpg.create_pool(os.environ["IRONBARK_DSN"])
    push = httpx.AsyncClient(headers={"Authorization": f"Key {os.environ['PUSH_KEY']}"}, timeout=10)
    app.state.waitlist = Waitlist(pool, push)
    install_signal_handlers(app)
    try:
        yield
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGUSR1)
        await push.aclose()
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/classes/{class_id}/bookings/{member_id}")
async def book(class_id: int, member_id: int, request: Request):
    pool = request.app.state.waitlist.pool
    async with pool.acquire() as conn, conn.transaction():
        capacity = await conn.fetchval("SELECT capacity FROM classes WHERE id = $1 FOR UPDATE", class_id)
        if capacity is None:
            raise HTTPException(404, "no such class")
        booked = await conn.fetchval("SELECT count(*) FROM bookings WHERE class_id = $1", class_id)
        table = "bookings" if booked < capacity else "waitlist"
        await conn.execute(f"INSERT INTO {table} (class_id, member_id) VALUES ($1, $2)", class_id, member_id)
    return {"status": "booked" if table == "bookings" else "waitlisted"}


@app.delete("/classes/{class_id}/bookings/{member_id}")
async def drop_out(class_id: int, member_id: int, request: Request):
    waitlist: Waitlist = request.app.state.waitlist
    await waitlist.pool.execute("DELETE FROM bookings WHERE class_id = $1 AND member_id = $2", class_id, member_id)
    promoted = await waitlist.promote(class_id)
    return {"dropped": member_id, "promoted": promoted}
