"""Regional blood bank stock API (Litestar + asyncpg).

Hospitals see stock per blood group and request units; a request reserves
units, creates a transfer order and books a courier. If the courier service
is slow, the transfer is queued for the dispatcher instead.
"""
from __future__ import annotations

import asyncio
import logging
import os

import asyncpg
import httpx
from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException

log = logging.getLogger("bloodbank")
GROUPS = ("O-", "O+", "A-", "A+", "B-", "B+", "AB-", "AB+")
COURIER_URL = os.environ.get("COURIER_URL", "https://courier.health.example/api")


async def startup(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["BLOODBANK_DSN"], max_size=10)
    app.state.courier = httpx.AsyncClient(base_url=COURIER_URL, timeout=10)


async def shutdown(app: Litestar) -> None:
    await app.state.courier.aclose()
    await app.state.pool.close()


async def units_available(pool: asyncpg.Pool, group: str) -> int:
    return await pool.fetchval(
        "SELECT count(*) FROM units WHERE blood_group = $1 AND status = 'available' AND expires > now()", group)


@get("/stock")
async def stock(state: State) -> dict[str, int]:
    counts = await asyncio.gather(*(units_available(state.pool, g) for g in GROUPS))
    return dict(zip(GROUPS, counts))


@post("/hospitals/{hospital_id:int}/requests")
async def request_units(hospital_id: int, data: dict, state: State) -> dict:
    group, n = data["group"], int(data["units"])
    async with state.pool.acquire() as conn, conn.transaction():
        unit_ids = await conn.fetch(
            "SELECT id FROM units WHERE blood_group = $1 AND status = 'available' AND expires > now() "
            "ORDER BY expires LIMIT $2 FOR UPDATE SKIP LOCKED", group, n)
        if len(unit_ids) < n:
            raise HTTPException(status_code=409, detail=f"only {len(unit_ids)} units of {group} available")
        transfer_id = await conn.fetchval(
            "INSERT INTO transfers (hospital_id, blood_group, units, status) VALUES ($1, $2, $3, 'reserved') "
            "RETURNING id", hospital_id, group, n)
        await conn.execute("UPDATE units SET status = 'reserved', transfer_id = $1 WHERE id = ANY($2::int[])",
                           transfer_id, [r["id"] for r in unit_ids])
    try:
        async with asyncio.timeout(5):
            resp = await state.courier.post("/bookings", json={"transfer": transfer_id, "to": hospital_id,
                                                                "priority": data.get("priority", "routine")})
            resp.raise_for_status()
        booking = resp.json()["booking_id"]
    except asyncio.CancelledError:
        log.warning("request for transfer %s cancelled while booking the courier", transfer_id)
        await asyncio.shield(state.pool.execute(
            "UPDATE transfers SET status = 'needs_dispatch' WHERE id = $1", transfer_id))
        raise
    except (TimeoutError, httpx.HTTPError) as exc:
        log.warning("courier booking failed for %s: %s", transfer_id, exc)
        booking = None
        await state.pool.execute("UPDATE transfers SET status = 'needs_dispatch' WHERE id = $1", transfer_id)
    return {"transfer": transfer_id, "courier_booking": booking}


app = Litestar(route_handlers=[stock, request_units], on_startup=[startup], on_shutdown=[shutdown])
