"""Relay Stripe events to Twilio SMS and to internal services."""
import asyncio
import functools
import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import stripe
from fastapi import FastAPI, Request
from twilio.rest import Client as Twilio

app = FastAPI()
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sdk")
TARGETS = ("http://billing:8000/hooks/stripe", "http://crm:8000/hooks/stripe")


@functools.cache
def twilio() -> Twilio:
    return Twilio(os.environ["TWILIO_SID"], os.environ["TWILIO_TOKEN"])


@app.on_event("startup")
async def startup() -> None:
    app.state.http = httpx.AsyncClient(timeout=10)


@app.on_event("shutdown")
async def shutdown() -> None:
    await app.state.http.aclose()
    _pool.shutdown(wait=False)


def _sms(to: str, body: str) -> None:
    twilio().messages.create(to=to, from_=os.environ["TWILIO_FROM"], body=body)


@app.post("/stripe")
async def stripe_hook(request: Request) -> dict:
    payload = await request.body()
    event = stripe.Webhook.construct_event(payload, request.headers["stripe-signature"], os.environ["WHSEC"])
    loop = asyncio.get_running_loop()
    if event["type"] == "charge.dispute.created":
        charge = await loop.run_in_executor(_pool, stripe.Charge.retrieve, event["data"]["object"]["charge"])
        await loop.run_in_executor(_pool, _sms, os.environ["FINANCE_PHONE"], f"Dispute on {charge['id']}")
    http: httpx.AsyncClient = request.app.state.http
    results = await asyncio.gather(*(http.post(url, content=payload) for url in TARGETS), return_exceptions=True)
    return {"relayed": sum(not isinstance(r, Exception) for r in results)}
