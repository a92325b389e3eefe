"""Stripe webhook receiver (aiohttp)."""
import asyncio
import logging
import os

import asyncpg
import stripe
from aiohttp import web

log = logging.getLogger("payments.webhooks")
stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
ENDPOINT_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]


class AuditLog:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def record(self, event_id: str, kind: str) -> None:
        await self._pool.execute(
            "INSERT INTO stripe_events (id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            event_id,
            kind,
        )


class Ledger:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def credit(self, email: str, cents: int) -> None:
        await self._pool.execute("SELECT ledger_credit($1, $2)", email, cents)

    async def flag(self, email: str, invoice_id: str) -> None:
        await self._pool.execute("SELECT ledger_flag($1, $2)", email, invoice_id)


class WebhookHandler:
    def __init__(self, ledger: Ledger, audit: AuditLog):
        self._ledger = ledger
        self._audit = audit

    async def handle(self, request: web.Request) -> web.Response:
        payload = await request.read()
        sig = request.headers.get("Stripe-Signature", "")
        try:
            event = stripe.Webhook.construct_event(payload, sig, ENDPOINT_SECRET)
        except (ValueError, stripe.error.SignatureVerificationError):
            return web.Response(status=400)

        self._audit.record(event["id"], event["type"])  # bug: ADC201

        if event["type"] == "checkout.session.completed":
            session = event["data"]["object"]
            customer = stripe.Customer.retrieve(session["customer"])  # bug: ADC101
            await self._ledger.credit(customer["email"], session["amount_total"])
        elif event["type"] == "invoice.payment_failed":
            invoice = event["data"]["object"]
            customer = await asyncio.to_thread(stripe.Customer.retrieve, invoice["customer"])
            await self._ledger.flag(customer["email"], invoice["id"])
        return web.json_response({"received": True})


async def make_app() -> web.Application:
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"])
    app = web.Application()
    app["pool"] = pool
    app.on_cleanup.append(lambda _app: pool.close())
    handler = WebhookHandler(Ledger(pool), AuditLog(pool))
    app.router.add_post("/stripe/webhook", handler.handle)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8080)
