"""Order webhooks for a bonsai nursery's web shop (aiohttp.web).

The shop platform posts every paid order. Live trees ship by overnight
courier in a ventilated box: the nursery books the label with the
courier's REST API (through the company's shared requests.Session with
the account certificate mounted) and mails the buyer a care sheet for
the species.
"""
import asyncio
import functools
import hashlib
import hmac
import logging
import os

import aiohttp
import asyncpg
import requests
from aiohttp import web

log = logging.getLogger("bonsai-shop")

WEBHOOK_SECRET = os.environ.get("SHOP_WEBHOOK_SECRET", "").encode()
COURIER = "https://api.overnight-courier.example/v4"
MAILER = "https://api.mailer.example/v1/send"
DB_DSN = os.environ.get("NURSERY_DSN", "postgresql://nursery@localhost/shop")

carrier = requests.Session()
carrier.cert = ("/etc/nursery/courier.crt", "/etc/nursery/courier.key")
carrier.headers["X-Account"] = os.environ.get("COURIER_ACCOUNT", "")


class Orders:
    pool: asyncpg.Pool
    http: aiohttp.ClientSession

    def __init__(self) -> None:
        self.background: set[asyncio.Task] = set()

    def _verified(self, body: bytes, signature: str) -> bool:
        digest = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(digest, signature)

    async def send_care_sheet(self, order: dict) -> None:
        species = {item["species"] for item in order["items"] if item.get("live")}
        sheets = await self.pool.fetch("SELECT species, sheet_html FROM care_sheets WHERE species = ANY($1)", list(species))
        html = "".join(row["sheet_html"] for row in sheets)
        async with self.http.post(MAILER, json={"to": order["email"], "subject": "Caring for your tree", "html": html}) as resp:
            resp.raise_for_status()

    async def thank_repeat_buyer(self, order: dict) -> None:
        await self.pool.execute("UPDATE customers SET loyalty = loyalty + 1 WHERE email = $1", order["email"])

    async def paid(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self._verified(body, request.headers.get("X-Shop-Signature", "")):
            raise web.HTTPUnauthorized()
        order = await request.json()
        live = any(item.get("live") for item in order["items"])
        resp = carrier.post(  # bug: ADC101
            f"{COURIER}/shipments",
            json={"service": "overnight-live" if live else "standard", "to": order["shipping"],
                  "parcels": [{"kg": order["weight_kg"], "ventilated": live}]},
            timeout=30,
        )
        resp.raise_for_status()
        shipment = resp.json()
        await self.pool.execute(
            "INSERT INTO shipments (order_id, courier_ref, label_url) VALUES ($1, $2, $3)",
            order["id"], shipment["reference"], shipment["label_url"],
        )
        if live:
            asyncio.ensure_future(self.send_care_sheet(order))  # bug: ADC301
        if order.get("returning_customer"):
            task = asyncio.create_task(self.thank_repeat_buyer(order))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        return web.json_response({"shipment": shipment["reference"]})

    async def tracking(self, request: web.Request) -> web.Response:
        ref = request.match_info["ref"]
        loop = asyncio.get_running_loop()
        resp = await loop.run_in_executor(None, functools.partial(carrier.get, f"{COURIER}/shipments/{ref}", timeout=15))
        resp.raise_for_status()
        return web.json_response(resp.json()["events"])


def create_app() -> web.Application:
    app = web.Application()
    orders = Orders()
    app.router.add_post("/webhooks/order-paid", orders.paid)
    app.router.add_get("/tracking/{ref}", orders.tracking)

    async def context(app: web.Application):
        orders.pool = await asyncpg.create_pool(DB_DSN, max_size=4)
        orders.http = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {os.environ.get('MAILER_KEY', '')}"}
        )
        yield
        if orders.background:
            await asyncio.wait(orders.background, timeout=10)
        await orders.http.close()
        await orders.pool.close()
        await asyncio.to_thread(carrier.close)

    app.cleanup_ctx.append(context)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), port=8090)
