"""Commission tracking for a stained glass studio (Sanic).

A church or client commission is a window design: a list of panels, each
with its cut lines and glass choices. The studio's render service turns a
panel into a lead-line preview in about four seconds; a large east window
can have two hundred panels. Clients see a preview of the whole window in
three lights (day, evening, interior).
"""
import asyncio
import json
import logging
import os
from pathlib import Path

import aiofiles
import asyncpg
import httpx
from sanic import Request, Sanic
from sanic.response import json as json_response

log = logging.getLogger("glass")

DB_DSN = os.environ.get("GLASS_DSN", "postgresql://glass@localhost/studio")
RENDER = "http://render.glass.internal:8081"
DESIGNS = Path(os.environ.get("DESIGNS_DIR", "/srv/glass/designs"))
LIGHTS = ("day", "evening", "interior")
RENDER_SLOTS = asyncio.Semaphore(4)

app = Sanic("glass")


@app.before_server_start
async def setup(app: Sanic, _loop) -> None:
    app.ctx.pool = await asyncpg.create_pool(DB_DSN, max_size=6)
    app.ctx.render = httpx.AsyncClient(base_url=RENDER, timeout=60)


@app.after_server_stop
async def teardown(app: Sanic, _loop) -> None:
    await app.ctx.render.aclose()
    await app.ctx.pool.close()


async def render_panel(render: httpx.AsyncClient, commission: int, panel: dict) -> str:
    resp = await render.post("/panels", json={"commission": commission, **panel})
    resp.raise_for_status()
    return resp.json()["preview_url"]


async def render_window(render: httpx.AsyncClient, commission: int, light: str) -> str:
    resp = await render.post("/windows", json={"commission": commission, "light": light})
    resp.raise_for_status()
    return resp.json()["preview_url"]


async def rerender_panel(render: httpx.AsyncClient, commission: int, panel: dict) -> str:
    async with RENDER_SLOTS:
        return await render_panel(render, commission, panel)


@app.post("/commissions/<cid:int>/design")
async def upload_design(request: Request, cid: int):
    design = request.json
    if not design or not design.get("panels"):
        return json_response({"error": "a design needs panels"}, status=422)
    f = await aiofiles.open(DESIGNS / f"{cid}.json", "w")  # bug: ADC401
    await f.write(json.dumps(design, indent=1))
    render = request.app.ctx.render
    previews = await asyncio.gather(  # bug: ADC502
        *(render_panel(render, cid, panel) for panel in design["panels"])
    )
    windows = await asyncio.gather(*(render_window(render, cid, light) for light in LIGHTS))
    await request.app.ctx.pool.execute(
        "UPDATE commissions SET panels = $2, previews = $3, window_previews = $4, revised = now()"
        " WHERE id = $1",
        cid, len(previews), previews, dict(zip(LIGHTS, windows)),
    )
    return json_response({"commission": cid, "panels": len(previews), "windows": dict(zip(LIGHTS, windows))})


@app.post("/commissions/<cid:int>/panels/rerender")
async def rerender(request: Request, cid: int):
    wanted = set(request.json.get("panels", []))
    async with aiofiles.open(DESIGNS / f"{cid}.json") as fh:
        design = json.loads(await fh.read())
    panels = [p for p in design["panels"] if p["number"] in wanted]
    render = request.app.ctx.render
    urls = await asyncio.gather(*(rerender_panel(render, cid, p) for p in panels))
    return json_response({"commission": cid, "previews": dict(zip((p["number"] for p in panels), urls))})


@app.get("/commissions/<cid:int>")
async def commission(request: Request, cid: int):
    row = await request.app.ctx.pool.fetchrow(
        "SELECT client, building, light_count, panels, window_previews, status FROM commissions WHERE id = $1",
        cid,
    )
    if row is None:
        return json_response({"error": "unknown commission"}, status=404)
    return json_response(dict(row), default=str)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host="0.0.0.0", port=8060, single_process=True)
