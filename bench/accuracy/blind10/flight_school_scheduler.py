"""Flying school bookings (Litestar): aircraft, instructors, weather minima,
and the instructors' shared Google Calendar."""
import asyncio
import os
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import httpx
from google.oauth2 import service_account
from googleapiclient.discovery import build
from litestar import Litestar, delete, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import ClientException

DSN = os.environ.get("FLYING_DSN", "postgresql://ops@db/flying")
AIRFIELD = "EGBJ"
INSTRUCTOR_CAL = os.environ.get("INSTRUCTOR_CAL", "instructors@flyingclub.example")


class CalendarSync:
    def __init__(self, key_file: str):
        creds = service_account.Credentials.from_service_account_file(
            key_file, scopes=["https://www.googleapis.com/auth/calendar"]
        )
        self.calendar = build("calendar", "v3", credentials=creds, cache_discovery=False)

    async def add_lesson(self, booking_id: int, student: str, reg: str, start: datetime, end: datetime) -> str:
        event = {
            "summary": f"{student} - {reg}",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": end.isoformat()},
            "extendedProperties": {"private": {"booking_id": str(booking_id)}},
        }
        created = self.calendar.events().insert(calendarId=INSTRUCTOR_CAL, body=event).execute()  # bug: ADC101
        return created["id"]

    async def remove_lesson(self, event_id: str) -> None:
        request = self.calendar.events().delete(calendarId=INSTRUCTOR_CAL, eventId=event_id)
        await asyncio.to_thread(request.execute)


@dataclass
class BookingIn:
    student_id: int
    instructor_id: int
    aircraft_reg: str
    start: datetime
    end: datetime


async def provide_conn() -> AsyncGenerator[asyncpg.Connection, None]:
    conn = await asyncpg.connect(DSN)  # bug: ADC402
    try:
        yield conn
    finally:
        await conn.close()


async def metar_ok(http: httpx.AsyncClient) -> bool:
    resp = await http.get("https://aviationweather.gov/api/data/metar", params={"ids": AIRFIELD, "format": "json"})
    resp.raise_for_status()
    obs = resp.json()[0]
    return obs.get("fltCat") in ("VFR", "MVFR")


@post("/bookings")
async def create_booking(data: BookingIn, conn: asyncpg.Connection, state: State) -> dict:
    async with conn.transaction():
        clash = await conn.fetchval(
            "SELECT count(*) FROM bookings WHERE cancelled_at IS NULL AND tstzrange(start_at, end_at) && tstzrange($1, $2) "
            "AND (aircraft_reg = $3 OR instructor_id = $4)",
            data.start, data.end, data.aircraft_reg, data.instructor_id,
        )
        if clash:
            raise ClientException("aircraft or instructor already booked")
        hours_left = await conn.fetchval("SELECT hours_to_next_check FROM aircraft WHERE reg = $1", data.aircraft_reg)
        if hours_left is not None and hours_left < (data.end - data.start).total_seconds() / 3600:
            raise ClientException(f"{data.aircraft_reg} is due its 50-hour check")
        row = await conn.fetchrow(
            "INSERT INTO bookings (student_id, instructor_id, aircraft_reg, start_at, end_at) VALUES ($1, $2, $3, $4, $5) "
            "RETURNING id, (SELECT name FROM students WHERE id = $1) AS student",
            data.student_id, data.instructor_id, data.aircraft_reg, data.start, data.end,
        )
    event_id = await state.calendar.add_lesson(row["id"], row["student"], data.aircraft_reg, data.start, data.end)
    await conn.execute("UPDATE bookings SET calendar_event = $1 WHERE id = $2", event_id, row["id"])
    return {"id": row["id"], "weather_ok_now": await metar_ok(state.http)}


@delete("/bookings/{booking_id:int}", status_code=200)
async def cancel_booking(booking_id: int, conn: asyncpg.Connection, state: State) -> dict:
    event_id = await conn.fetchval(
        "UPDATE bookings SET cancelled_at = now() WHERE id = $1 RETURNING calendar_event", booking_id
    )
    if event_id:
        await state.calendar.remove_lesson(event_id)
    return {"cancelled": booking_id}


async def on_startup(app: Litestar) -> None:
    app.state.http = httpx.AsyncClient(timeout=10)


async def on_shutdown(app: Litestar) -> None:
    await app.state.http.aclose()


app = Litestar(
    route_handlers=[create_booking, cancel_booking],
    dependencies={"conn": Provide(provide_conn)},
    on_startup=[on_startup],
    on_shutdown=[on_shutdown],
    state=State({"calendar": CalendarSync(os.environ["GOOGLE_KEY_FILE"])}),
)
