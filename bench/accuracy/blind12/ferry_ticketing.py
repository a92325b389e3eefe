"""Booking API for an island ferry company.

Foot passengers, cars, vans and campers book a sailing. Vehicle space is
counted in lane metres on the car deck; cabins on the night boat are
numbered. Payments go through Stripe's Python SDK, which is synchronous.
"""
import asyncio
import logging
import os
from collections import defaultdict
from contextlib import asynccontextmanager

import asyncpg
import stripe
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

log = logging.getLogger("ferry")

stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
DB_DSN = os.environ.get("FERRY_DSN", "postgresql://ferry@localhost/bookings")
LANE_METRES = {"none": 0.0, "car": 5.0, "van": 6.5, "camper": 8.0, "motorbike": 2.5}
FARES_CENTS = {"none": 0, "car": 4200, "van": 5600, "camper": 7900, "motorbike": 1800}
ADULT_CENTS = 1350

_cabin_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)


class BookingIn(BaseModel):
    sailing_id: int
    adults: int
    vehicle: str = "none"
    cabin: bool = False
    email: str


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DB_DSN, min_size=2, max_size=10)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def allocate_lane(pool: asyncpg.Pool, sailing_id: int, metres: float) -> bool:
    guard = asyncio.Lock()  # bug: ADC504
    async with guard:
        free = await pool.fetchval("SELECT deck_free_m FROM sailings WHERE id = $1", sailing_id)
        if free is None or free < metres:
            return False
        await pool.execute(
            "UPDATE sailings SET deck_free_m = deck_free_m - $2 WHERE id = $1", sailing_id, metres
        )
        return True


async def allocate_cabin(pool: asyncpg.Pool, sailing_id: int) -> int | None:
    async with _cabin_locks[sailing_id]:
        cabin = await pool.fetchval(
            "SELECT min(c.number) FROM cabins c WHERE c.sailing_id = $1 AND c.booking_id IS NULL",
            sailing_id,
        )
        if cabin is not None:
            await pool.execute(
                "UPDATE cabins SET booking_id = -1 WHERE sailing_id = $1 AND number = $2",
                sailing_id, cabin,
            )
        return cabin


@app.post("/bookings")
async def book(body: BookingIn, request: Request) -> dict:
    if body.vehicle not in LANE_METRES:
        raise HTTPException(422, "unknown vehicle type")
    pool = request.app.state.pool
    metres = LANE_METRES[body.vehicle]
    if metres and not await allocate_lane(pool, body.sailing_id, metres):
        raise HTTPException(409, "car deck full")
    cabin = await allocate_cabin(pool, body.sailing_id) if body.cabin else None
    amount = body.adults * ADULT_CENTS + FARES_CENTS[body.vehicle] + (6500 if cabin else 0)
    intent = stripe.PaymentIntent.create(  # bug: ADC101
        amount=amount,
        currency="eur",
        receipt_email=body.email,
        metadata={"sailing": body.sailing_id, "vehicle": body.vehicle},
    )
    booking_id = await pool.fetchval(
        "INSERT INTO bookings (sailing_id, adults, vehicle, cabin, email, payment_intent)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        body.sailing_id, body.adults, body.vehicle, cabin, body.email, intent.id,
    )
    if cabin is not None:
        await pool.execute(
            "UPDATE cabins SET booking_id = $3 WHERE sailing_id = $1 AND number = $2",
            body.sailing_id, cabin, booking_id,
        )
    return {"booking_id": booking_id, "client_secret": intent.client_secret, "cabin": cabin}


@app.delete("/bookings/{booking_id}")
async def cancel(booking_id: int, request: Request) -> dict:
    pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "DELETE FROM bookings WHERE id = $1 RETURNING sailing_id, vehicle, payment_intent",
            booking_id,
        )
        if row is None:
            raise HTTPException(404, "no such booking")
        await conn.execute(
            "UPDATE sailings SET deck_free_m = deck_free_m + $2 WHERE id = $1",
            row["sailing_id"], LANE_METRES[row["vehicle"]],
        )
        await conn.execute("UPDATE cabins SET booking_id = NULL WHERE booking_id = $1", booking_id)
    refund = await asyncio.to_thread(stripe.Refund.create, payment_intent=row["payment_intent"])
    log.info("booking %s cancelled, refund %s", booking_id, refund.id)
    return {"cancelled": booking_id, "refund": refund.status}
