"""Booking service for a tattoo studio with four artists (Starlette).

Clients book a consultation or a session; sessions need a deposit taken
through the card processor's REST API. Confirmations go out by e-mail
through the studio's mail host. Reference images are fetched from the
artist's portfolio service to attach to the consultation record.
"""
import asyncio
import contextlib
import logging
import os
import smtplib
from email.message import EmailMessage

import asyncpg
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger("studio")

DB_DSN = os.environ.get("STUDIO_DSN", "postgresql://studio@localhost/bookings")
MAIL_HOST = os.environ.get("MAIL_HOST", "mail.inkhouse.example")
PAYMENTS = "https://api.cardproc.example/v1"
PORTFOLIO = "https://portfolio.inkhouse.example/api"
DEPOSIT_CENTS = 8000


def send_confirmation(msg: EmailMessage) -> None:
    with smtplib.SMTP(MAIL_HOST, 587, timeout=20) as smtp:
        smtp.starttls()
        smtp.login("bookings", os.environ.get("MAIL_PASSWORD", ""))
        smtp.send_message(msg)


def confirmation(to: str, artist: str, when: str, kind: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "bookings@inkhouse.example"
    msg["To"] = to
    msg["Subject"] = f"Your {kind} with {artist}"
    msg.set_content(f"See you on {when}. Please bring photo ID.\n\nInk House Studio")
    return msg


async def charge_deposit(http: httpx.AsyncClient, card_token: str, booking_ref: str) -> str:
    resp = await http.post(
        f"{PAYMENTS}/charges",
        json={"amount": DEPOSIT_CENTS, "currency": "gbp", "source": card_token, "reference": booking_ref},
        headers={"Authorization": f"Bearer {os.environ.get('CARDPROC_KEY', '')}"},
    )
    resp.raise_for_status()
    return resp.json()["id"]


async def fetch_references(http: httpx.AsyncClient, artist: str, tags: list[str]) -> list[str]:
    resp = await http.get(f"{PORTFOLIO}/artists/{artist}/pieces", params={"tags": ",".join(tags)})
    resp.raise_for_status()
    return [piece["image_url"] for piece in resp.json()[:6]]


async def book_session(request: Request) -> JSONResponse:
    body = await request.json()
    pool, http = request.app.state.pool, request.app.state.http
    ref = await pool.fetchval(
        "INSERT INTO bookings (client_email, artist, starts_at, kind) VALUES ($1, $2, $3, 'session')"
        " RETURNING ref",
        body["email"], body["artist"], body["starts_at"],
    )
    deposit = asyncio.create_task(charge_deposit(http, body["card_token"], ref))  # bug: ADC302
    charge_id = await deposit
    await pool.execute("UPDATE bookings SET deposit_charge = $2 WHERE ref = $1", ref, charge_id)
    send_confirmation(confirmation(body["email"], body["artist"], body["starts_at"], "session"))  # bug: ADC101
    return JSONResponse({"ref": ref, "deposit": charge_id}, status_code=201)


async def book_consultation(request: Request) -> JSONResponse:
    body = await request.json()
    pool, http = request.app.state.pool, request.app.state.http
    references = asyncio.create_task(fetch_references(http, body["artist"], body.get("tags", [])))
    async with pool.acquire() as conn, conn.transaction():
        clash = await conn.fetchval(
            "SELECT 1 FROM bookings WHERE artist = $1 AND starts_at = $2", body["artist"], body["starts_at"]
        )
        if clash:
            references.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await references
            return JSONResponse({"error": "slot taken"}, status_code=409)
        ref = await conn.fetchval(
            "INSERT INTO bookings (client_email, artist, starts_at, kind) VALUES ($1, $2, $3, 'consultation')"
            " RETURNING ref",
            body["email"], body["artist"], body["starts_at"],
        )
    images = await references
    await pool.execute("UPDATE bookings SET reference_images = $2 WHERE ref = $1", ref, images)
    msg = confirmation(body["email"], body["artist"], body["starts_at"], "consultation")
    await asyncio.to_thread(send_confirmation, msg)
    return JSONResponse({"ref": ref, "references": images}, status_code=201)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=6)
    app.state.http = httpx.AsyncClient(timeout=15)
    try:
        yield
    finally:
        await app.state.http.aclose()
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/sessions", book_session, methods=["POST"]),
        Route("/consultations", book_consultation, methods=["POST"]),
    ],
    lifespan=lifespan,
)
