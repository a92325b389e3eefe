"""Independent knitting pattern shop (Quart): Stripe Checkout, and each buyer
gets the PDF pattern watermarked with their name. `python knitting_pattern_shop.py
resend ORDER` re-sends a lost download."""
import asyncio
import io
import os
import sys
import threading
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import asyncpg
import stripe
from pypdf import PdfReader, PdfWriter
from quart import Quart, abort, redirect, request
from reportlab.pdfgen import canvas

stripe.api_key = os.environ.get("STRIPE_SECRET_KEY", "")
WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
PATTERNS = Path("/srv/patterns")
PRICES = {"fairisle-yoke": "price_1PfairXX", "cabled-beanie": "price_1PcablXX", "lace-shawl": "price_1PlaceXX"}

app = Quart(__name__)
_stamp_lock = threading.Lock()
_stamps: dict[str, bytes] = {}


def _stamp(text: str) -> bytes:
    with _stamp_lock:  # worker threads share the cache
        if text not in _stamps:
            buf = io.BytesIO()
            c = canvas.Canvas(buf)
            c.setFont("Helvetica", 8)
            c.setFillGray(0.6)
            c.drawString(36, 20, text)
            c.save()
            _stamps[text] = buf.getvalue()
        return _stamps[text]


def watermark(pattern: Path, buyer: str) -> bytes:
    stamp = PdfReader(io.BytesIO(_stamp(f"Licensed to {buyer}. Personal use only."))).pages[0]
    writer = PdfWriter(clone_from=PdfReader(pattern))
    for page in writer.pages:
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def send_pattern(email: str, sku: str, pdf: bytes) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "shop@woolgathering.example", email, f"Your pattern: {sku}"
    msg.set_content("Thank you! Your pattern is attached.")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{sku}.pdf")
    await aiosmtplib.send(msg, hostname="smtp.postmark.example", port=587, start_tls=True,
                          username=os.environ.get("SMTP_USER"), password=os.environ.get("SMTP_PASSWORD"))


@app.before_serving
async def startup() -> None:
    app.mail_tasks = set()
    app.pool = await asyncpg.create_pool(os.environ["SHOP_DSN"], max_size=3)


@app.after_serving
async def drain() -> None:
    await asyncio.gather(*app.mail_tasks, return_exceptions=True)
    await app.pool.close()


@app.post("/checkout/<sku>")
async def checkout(sku: str):
    if sku not in PRICES:
        abort(404)
    session = await asyncio.to_thread(
        stripe.checkout.Session.create, mode="payment", line_items=[{"price": PRICES[sku], "quantity": 1}],
        metadata={"sku": sku}, success_url="https://woolgathering.example/thanks", cancel_url="https://woolgathering.example/",
    )
    return redirect(session.url, 303)


@app.post("/stripe/webhook")
async def webhook():
    payload = await request.get_data()
    try:
        event = stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature", ""), WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError):
        abort(400)
    if event["type"] == "checkout.session.completed":
        s = event["data"]["object"]
        sku, buyer = s["metadata"]["sku"], s["customer_details"]
        await app.pool.execute(
            "INSERT INTO orders (stripe_session, sku, buyer_name, email) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            s["id"], sku, buyer["name"], buyer["email"],
        )
        pdf = await asyncio.to_thread(watermark, PATTERNS / f"{sku}.pdf", buyer["name"])
        t = asyncio.create_task(send_pattern(buyer["email"], sku, pdf))
        app.mail_tasks.add(t)
        t.add_done_callback(app.mail_tasks.discard)
    return "", 200


async def resend(order_id: str) -> None:
    conn = await asyncpg.connect(os.environ["SHOP_DSN"])
    try:
        order = await conn.fetchrow("SELECT sku, buyer_name, email FROM orders WHERE stripe_session = $1", order_id)
    finally:
        await conn.close()
    pdf = await asyncio.to_thread(watermark, PATTERNS / f"{order['sku']}.pdf", order["buyer_name"])
    await send_pattern(order["email"], order["sku"], pdf)


if __name__ == "__main__" and sys.argv[1:2] == ["resend"]:
    asyncio.run(resend(sys.argv[2]))
