"""Booking service of Signpost, an agency for BSL/English interpreters.

Hospitals, courts and employers request an interpreter for an appointment.
We find interpreters qualified for the setting whose own published calendar
(an ICS feed) is free at that time, text an offer to the best match, and
text the client once the interpreter accepts.
"""
from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request
from icalendar import Calendar
from pydantic import BaseModel
from requests import get as http_get
from twilio.rest import Client as TwilioClient

VENUES = "https://venues.access-directory.example/api/venues"
SENDER = "+447700900123"


class InterpreterRequest(BaseModel):
    client_phone: str
    setting: str  # "medical", "legal", "employment", ...
    region: str
    venue_id: str
    start: datetime
    end: datetime


class Agency:
    def __init__(self, pool: asyncpg.Pool, http: httpx.AsyncClient, sms: TwilioClient) -> None:
        self.pool = pool
        self.http = http
        self.sms = sms

    async def busy_on(self, interp, start: datetime, end: datetime) -> bool:
        resp = await self.http.get(interp["ics_url"])
        resp.raise_for_status()
        for event in Calendar.from_ical(resp.text).walk("VEVENT"):
            ev_start, ev_end = event.decoded("dtstart"), event.decoded("dtend")
            if isinstance(ev_start, datetime) and ev_start < end and ev_end > start:
                return True
        return False

    async def candidates(self, req: InterpreterRequest) -> list[dict]:
        rows = await self.pool.fetch(
            "SELECT id, name, mobile, ics_url FROM interpreters"
            " WHERE $1 = ANY(settings) AND region = $2 AND active ORDER BY rating DESC",
            req.setting, req.region,
        )
        free = []
        for interp in rows:
            if not await self.busy_on(interp, req.start, req.end):  # bug: ADC501
                free.append(dict(interp))
        return free

    async def offer(self, interp: dict, booking_id: int, req: InterpreterRequest, venue: dict) -> None:
        text = (
            f"Signpost offer #{booking_id}: {req.setting}, {venue['name']}, "
            f"{req.start:%a %d %b %H:%M}-{req.end:%H:%M}. Reply YES {booking_id} to accept."
        )
        self.sms.messages.create(to=interp["mobile"], from_=SENDER, body=text)  # bug: ADC101

    async def confirm_client(self, phone: str, text: str) -> None:
        await asyncio.to_thread(self.sms.messages.create, to=phone, from_=SENDER, body=text)


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = await asyncpg.create_pool(os.environ["SIGNPOST_DSN"])
    sms = TwilioClient(os.environ["TWILIO_SID"], os.environ["TWILIO_TOKEN"])
    async with httpx.AsyncClient(timeout=10, follow_redirects=True) as http:
        app.state.agency = Agency(pool, http, sms)
        try:
            yield
        finally:
            await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/requests")
async def new_request(req: InterpreterRequest, request: Request):
    agency: Agency = request.app.state.agency
    venue = http_get(f"{VENUES}/{req.venue_id}", timeout=10).json()  # bug: ADC101
    free = await agency.candidates(req)
    if not free:
        raise HTTPException(409, "no qualified interpreter is free; we will call you")
    booking_id = await agency.pool.fetchval(
        "INSERT INTO bookings (client_phone, setting, venue_id, starts, ends, offered_to)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        req.client_phone, req.setting, req.venue_id, req.start, req.end, free[0]["id"],
    )
    await agency.offer(free[0], booking_id, req, venue)
    return {"booking": booking_id, "offered_to": free[0]["name"], "step_free": venue.get("step_free")}


@app.post("/bookings/{booking_id}/accept")
async def accept(booking_id: int, request: Request):
    agency: Agency = request.app.state.agency
    row = await agency.pool.fetchrow(
        "UPDATE bookings b SET accepted = now() FROM interpreters i"
        " WHERE b.id = $1 AND i.id = b.offered_to AND b.accepted IS NULL"
        " RETURNING b.client_phone, b.starts, i.name",
        booking_id,
    )
    if row is None:
        raise HTTPException(404, "no open offer")
    await agency.confirm_client(row["client_phone"], f"Signpost: {row['name']} will interpret on {row['starts']:%a %d %b %H:%M}.")
    return {"accepted": booking_id}
