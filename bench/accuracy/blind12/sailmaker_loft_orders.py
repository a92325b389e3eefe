"""Orders for a sail loft (aiohttp.web).

Sailors send their rig measurements; the loft quotes from the sail area
and the cloth price of the day, turns an accepted quote into an order in
one transaction, and sends the cut file to the plotter on the loft floor.
"""
import asyncio
import functools
import io
import logging
import os

import aiohttp
import asyncpg
from aiohttp import web
from PIL import Image, ImageDraw

log = logging.getLogger("sail-loft")

DB_DSN = os.environ.get("LOFT_DSN", "postgresql://loft@localhost/orders")
CLOTH_API = "https://trade.clothsupplier.example/api/prices"
PLOTTER = ("10.0.3.40", 9100)
LABOUR_PER_M2 = 38.0


def sail_area(luff: float, leech: float, foot: float) -> float:
    s = (luff + leech + foot) / 2
    return max(s * (s - luff) * (s - leech) * (s - foot), 0.0) ** 0.5


def panel_plan(panels: list[dict]) -> bytes:
    img = Image.new("RGB", (1600, 900), "white")
    draw = ImageDraw.Draw(img)
    for p in panels:
        draw.polygon([tuple(pt) for pt in p["outline"]], outline="navy")
        draw.text(tuple(p["outline"][0]), p["id"], fill="black")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


async def cloth_price(session: aiohttp.ClientSession, cloth: str) -> float:
    for attempt in range(4):
        try:
            async with session.get(CLOTH_API, params={"code": cloth}) as resp:
                resp.raise_for_status()
                return (await resp.json())["price_per_m2"]
        except aiohttp.ClientError as exc:
            log.warning("cloth price for %s failed (%s), attempt %d", cloth, exc, attempt + 1)
            await asyncio.sleep(2 ** attempt)
    raise web.HTTPServiceUnavailable(text="cloth supplier unreachable")


async def quote(request: web.Request) -> web.Response:
    body = await request.json()
    area = sail_area(body["luff"], body["leech"], body["foot"])
    price = await cloth_price(request.app["http"], body["cloth"])
    total = round(area * (price * 1.15 + LABOUR_PER_M2), 2)
    quote_id = await request.app["pool"].fetchval(
        "INSERT INTO quotes (customer, sail, cloth, area_m2, total) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        body["customer"], body["sail"], body["cloth"], area, total,
    )
    return web.json_response({"quote": quote_id, "area_m2": round(area, 2), "total": total})


async def accept(request: web.Request) -> web.Response:
    quote_id = int(request.match_info["quote_id"])
    panels = (await request.json())["panels"]
    async with request.app["pool"].acquire() as conn, conn.transaction():
        q = await conn.fetchrow("SELECT * FROM quotes WHERE id = $1 FOR UPDATE", quote_id)
        if q is None or q["accepted"]:
            raise web.HTTPConflict(text="quote missing or already accepted")
        order_id = await conn.fetchval(
            "INSERT INTO orders (quote_id, customer, due) VALUES ($1, $2, current_date + 21) RETURNING id",
            quote_id, q["customer"],
        )
        await conn.executemany(
            "INSERT INTO panels (order_id, panel, cloth, area_m2) VALUES ($1, $2, $3, $4)",
            [(order_id, p["id"], q["cloth"], p["area_m2"]) for p in panels],
        )
        await conn.execute("UPDATE cloth_stock SET metres = metres - $2 WHERE code = $1", q["cloth"], q["area_m2"])
        await conn.execute("UPDATE quotes SET accepted = now() WHERE id = $1", quote_id)
    loop = asyncio.get_running_loop()
    plan = await loop.run_in_executor(None, functools.partial(panel_plan, panels))
    await request.app["pool"].execute("UPDATE orders SET plan_png = $2 WHERE id = $1", order_id, plan)
    return web.json_response({"order": order_id}, status=201)


async def send_to_plotter(request: web.Request) -> web.Response:
    order_id = int(request.match_info["order_id"])
    hpgl = await request.app["pool"].fetchval("SELECT cut_file FROM orders WHERE id = $1", order_id)
    if hpgl is None:
        raise web.HTTPNotFound()
    reader, writer = await asyncio.open_connection(*PLOTTER)
    try:
        writer.write(hpgl.encode("ascii"))
        await writer.drain()
        ack = await asyncio.wait_for(reader.readline(), timeout=30)
    except asyncio.CancelledError:
        log.warning("cut file for order %s interrupted, plotter may hold a partial job", order_id)
        raise
    finally:
        writer.close()
        await writer.wait_closed()
    return web.json_response({"order": order_id, "plotter": ack.decode().strip()})


async def resources(app: web.Application):
    app["pool"] = await asyncpg.create_pool(DB_DSN, max_size=5)
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    await app["http"].close()
    await app["pool"].close()


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/quotes", quote)
    app.router.add_post("/quotes/{quote_id}/accept", accept)
    app.router.add_post("/orders/{order_id}/plot", send_to_plotter)
    app.cleanup_ctx.append(resources)
    return app
