"""Dog daycare front desk (Sanic): morning vaccination clearance, check-in and
check-out, and an audit trail the insurer asks for."""
import asyncio
import os

import asyncpg
import httpx
from sanic import Sanic, json
from sanic.exceptions import NotFound

app = Sanic("daycare")
VET_API = "https://api.vetpractice.example/v1"


class Attendance:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def booked_today(self) -> list[asyncpg.Record]:
        return await self.pool.fetch(
            "SELECT b.id, d.name, d.microchip FROM bookings b JOIN dogs d ON d.id = b.dog_id "
            "WHERE b.day = current_date AND b.cancelled_at IS NULL ORDER BY d.name"
        )

    async def check_in(self, booking_ids: list[int], staff: str) -> list[str]:
        # a household's dogs go in together, or not at all
        async with self.pool.acquire() as conn, conn.transaction():
            names = []
            for booking_id in booking_ids:
                name = await conn.fetchval(
                    "UPDATE bookings b SET checked_in_at = now() FROM dogs d "
                    "WHERE b.id = $1 AND d.id = b.dog_id AND b.checked_in_at IS NULL RETURNING d.name",
                    booking_id,
                )
                if name is None:
                    raise NotFound(f"booking {booking_id} not found or already in")
                names.append(name)
        self.pool.execute(  # bug: ADC201
            "INSERT INTO audit_log (actor, action, booking_ids) VALUES ($1, 'check_in', $2)", staff, booking_ids
        )
        return names

    async def check_out(self, booking_id: int, staff: str, collected_by: str) -> None:
        await self.pool.execute(
            "UPDATE bookings SET checked_out_at = now(), collected_by = $2 WHERE id = $1", booking_id, collected_by
        )
        await self.pool.execute(
            "INSERT INTO audit_log (actor, action, booking_ids) VALUES ($1, 'check_out', $2)", staff, [booking_id]
        )


async def vaccination_status(http: httpx.AsyncClient, microchip: str) -> dict:
    resp = await http.get(f"{VET_API}/patients/{microchip}/vaccinations")
    resp.raise_for_status()
    return resp.json()


@app.before_server_start
async def setup(app: Sanic, _) -> None:
    app.ctx.pool = await asyncpg.create_pool(os.environ["DAYCARE_DSN"])
    app.ctx.http = httpx.AsyncClient(timeout=10, headers={"Authorization": f"Bearer {os.environ['VET_TOKEN']}"})
    app.ctx.attendance = Attendance(app.ctx.pool)


@app.after_server_stop
async def teardown(app: Sanic, _) -> None:
    await app.ctx.http.aclose()
    await app.ctx.pool.close()


@app.get("/today/clearance")
async def morning_clearance(request):
    dogs = await request.app.ctx.attendance.booked_today()
    cleared, blocked = [], []
    for dog in dogs:
        status = await vaccination_status(request.app.ctx.http, dog["microchip"])  # bug: ADC501
        ok = status["kennel_cough"]["valid"] and status["dhpp"]["valid"]
        (cleared if ok else blocked).append(dog["name"])
    return json({"cleared": cleared, "blocked": blocked})


@app.post("/checkin")
async def check_in(request):
    names = await request.app.ctx.attendance.check_in(request.json["booking_ids"], request.json["staff"])
    return json({"in": names})


@app.post("/checkout/<booking_id:int>")
async def check_out(request, booking_id: int):
    await request.app.ctx.attendance.check_out(booking_id, request.json["staff"], request.json["collected_by"])
    return json({"out": booking_id})


async def close_stale_bookings(app: Sanic) -> None:
    while True:
        await app.ctx.pool.execute(
            "UPDATE bookings SET checked_out_at = now(), collected_by = 'auto' "
            "WHERE checked_in_at < current_date AND checked_out_at IS NULL"
        )
        await asyncio.sleep(3600)


app.add_task(close_stale_bookings)
