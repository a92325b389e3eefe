"""Appointment booking for a three-branch veterinary clinic."""
from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import asyncpg
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel
from twilio.rest import Client as TwilioClient

log = logging.getLogger("vetclinic")


class BookingIn(BaseModel):
    pet_id: int
    vet_id: int
    starts_at: datetime
    reason: str


class SmsNotifier:
    def __init__(self, sid: str, token: str, sender: str) -> None:
        self.twilio = TwilioClient(sid, token)
        self.sender = sender
        self._pending: set[asyncio.Task] = set()

    async def confirm(self, phone: str, pet: str, when: datetime) -> None:
        body = f"{pet}'s appointment is booked for {when:%a %d %b %H:%M}. Reply C to cancel."
        self.twilio.messages.create(to=phone, from_=self.sender, body=body)  # bug: ADC101

    async def remind(self, phone: str, pet: str, when: datetime) -> None:
        await asyncio.sleep(max((when - timedelta(days=1) - datetime.now(when.tzinfo)).total_seconds(), 0))
        body = f"Reminder: {pet} is seeing the vet tomorrow at {when:%H:%M}."
        await asyncio.to_thread(self.twilio.messages.create, to=phone, from_=self.sender, body=body)

    def remind_later(self, phone: str, pet: str, when: datetime) -> None:
        task = asyncio.create_task(self.remind(phone, pet, when))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["VET_DSN"], max_size=8)
    app.state.sms = SmsNotifier(os.environ["TWILIO_SID"], os.environ["TWILIO_TOKEN"], "+441234567890")
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


def get_pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


async def release_stale_holds(pool: asyncpg.Pool) -> None:
    cutoff = datetime.utcnow() - timedelta(minutes=15)
    released = await pool.execute("DELETE FROM slot_holds WHERE created_at < $1", cutoff)
    log.info("released stale holds: %s", released)


@app.post("/appointments", status_code=201)
async def book(body: BookingIn, request: Request, pool: asyncpg.Pool = Depends(get_pool)):
    async with pool.acquire() as conn:
        async with conn.transaction():
            clash = await conn.fetchval(
                "SELECT 1 FROM appointments WHERE vet_id = $1 AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)",
                body.vet_id, body.starts_at, body.starts_at + timedelta(minutes=20),
            )
            if clash:
                raise HTTPException(409, "that slot has just been taken")
            appt_id = await conn.fetchval(
                "INSERT INTO appointments (pet_id, vet_id, starts_at, ends_at, reason) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                body.pet_id, body.vet_id, body.starts_at, body.starts_at + timedelta(minutes=20), body.reason,
            )
            owner = await conn.fetchrow(
                "SELECT o.phone, p.name FROM pets p JOIN owners o ON o.id = p.owner_id WHERE p.id = $1",
                body.pet_id,
            )
    asyncio.create_task(release_stale_holds(pool))  # bug: ADC301
    sms: SmsNotifier = request.app.state.sms
    await sms.confirm(owner["phone"], owner["name"], body.starts_at)
    if body.starts_at - datetime.now(body.starts_at.tzinfo) > timedelta(days=1):
        sms.remind_later(owner["phone"], owner["name"], body.starts_at)
    return {"id": appt_id}
