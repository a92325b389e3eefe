import logging

from aiohttp import web

from . import gateway
from .gateway import GatewayError, format_amount

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


@routes.post("/checkout")
async def checkout(request: web.Request) -> web.Response:
    body = await request.json()
    order_id = body["order_id"]
    customer = body["customer_id"]
    amount = int(body["amount_cents"])
    try:
        charge = gateway.charge_card(customer, amount, idempotency_key=f"order-{order_id}")  # bug: ADC101
    except GatewayError as exc:
        log.warning("charge failed for order %s: %s", order_id, exc)
        return web.json_response({"error": "payment_failed"}, status=402)
    pool = request.app["db"]
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE orders SET status = 'paid', charge_id = $1 WHERE id = $2",
            charge["id"],
            order_id,
        )
    return web.json_response({"charge": charge["id"], "amount": format_amount(amount)})


@routes.get("/orders/{order_id}/receipt")
async def receipt(request: web.Request) -> web.Response:
    order_id = int(request.match_info["order_id"])
    pool = request.app["db"]
    row = await pool.fetchrow("SELECT amount_cents, currency FROM orders WHERE id = $1", order_id)
    if row is None:
        raise web.HTTPNotFound()
    return web.json_response(
        {"order": order_id, "total": format_amount(row["amount_cents"], row["currency"])}
    )
