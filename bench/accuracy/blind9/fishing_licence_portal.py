"""Angling licence sales for a river trust (Quart, asyncpg, Stripe)."""
from __future__ import annotations

import asyncio
import io
import logging
import os
from datetime import date, timedelta

import asyncpg
import stripe
from quart import Quart, jsonify, request, send_file
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen import canvas

log = logging.getLogger("licences")
app = Quart(__name__)
stripe.api_key = os.environ.get("STRIPE_KEY", "")
PRICES = {"day": 800, "week": 2500, "season": 9500}


@app.before_serving
async def open_pool() -> None:
    app.pool = await asyncpg.create_pool(os.environ["LICENCE_DSN"], max_size=8)


@app.after_serving
async def close_pool() -> None:
    await app.pool.close()


def licence_pdf(number: str, holder: str, beat: str, valid_to: date) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A6)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(20, 360, f"Licence {number}")
    c.setFont("Helvetica", 10)
    c.drawString(20, 340, f"{holder} - beat {beat}")
    c.drawString(20, 325, f"valid until {valid_to:%d %b %Y}")
    c.showPage()
    c.save()
    return buf.getvalue()


@app.post("/licences")
async def buy():
    form = await request.get_json()
    kind, beat, holder = form["kind"], form["beat"], form["holder"]
    intent = await stripe.PaymentIntent.create_async(
        amount=PRICES[kind], currency="gbp", payment_method=form["payment_method"], confirm=True,
        automatic_payment_methods={"enabled": True, "allow_redirects": "never"},
    )
    if intent.status != "succeeded":
        return jsonify({"error": "payment not completed", "status": intent.status}), 402
    valid_to = date.today() + {"day": timedelta(days=1), "week": timedelta(days=7), "season": timedelta(days=200)}[kind]
    async with app.pool.acquire() as conn:
        try:
            async with conn.transaction():
                # the rod count check and the insert must see the same snapshot
                rods = await conn.fetchval(
                    "SELECT count(*) FROM (SELECT 1 FROM licences WHERE beat = $1 AND valid_to >= current_date FOR UPDATE) t",
                    beat,
                )
                if rods >= 12:
                    raise LookupError("beat full")
                number = await conn.fetchval(
                    "INSERT INTO licences (beat, holder, kind, valid_to, payment) VALUES ($1, $2, $3, $4, $5) "
                    "RETURNING number",
                    beat, holder, kind, valid_to, intent.id,
                )
        except LookupError:
            await stripe.Refund.create_async(payment_intent=intent.id)
            return jsonify({"error": "that beat is fully booked; you have been refunded"}), 409
        except asyncio.CancelledError:
            log.error("licence sale for intent %s cancelled after payment; flagging for refund", intent.id)
            await asyncio.shield(app.pool.execute("INSERT INTO refund_queue (payment) VALUES ($1)", intent.id))
            raise
    return jsonify({"number": number, "valid_to": valid_to.isoformat()}), 201


@app.get("/licences/<number>.pdf")
async def licence_download(number: str):
    row = await app.pool.fetchrow("SELECT holder, beat, valid_to FROM licences WHERE number = $1", number)
    if row is None:
        return jsonify({"error": "unknown licence"}), 404
    pdf = await asyncio.to_thread(licence_pdf, number, row["holder"], row["beat"], row["valid_to"])
    return await send_file(io.BytesIO(pdf), mimetype="application/pdf", attachment_filename=f"{number}.pdf")
