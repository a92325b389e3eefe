"""Philatelic society catalogue (aiohttp.web): members upload 1200 dpi scans
of their stamps; thumbnails and a perforation-gauge estimate are computed in a
process pool; the catalogue is browsed page by page."""
import asyncio
import io
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiofiles
import aiosqlite
import numpy as np
from aiohttp import web
from PIL import Image

SCANS = Path("/srv/stamps/scans")
PAGE_SIZE = 48


def analyse_scan(path: str) -> tuple[bytes, float]:
    """Runs in a worker process: thumbnail plus perforation gauge (teeth per 2 cm)."""
    with Image.open(path) as img:
        dpi = img.info.get("dpi", (1200, 1200))[0]
        edge = np.asarray(img.convert("L"))[5, :].astype(float)
        teeth = int(((edge[1:] > 128) & (edge[:-1] <= 128)).sum())
        gauge = teeth / (len(edge) / dpi * 2.54) * 2
        img.thumbnail((320, 320))
        buf = io.BytesIO()
        img.convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue(), round(gauge * 4) / 4


async def upload(request: web.Request) -> web.Response:
    reader = await request.multipart()
    field = await reader.next()
    if field is None or field.name != "scan":
        raise web.HTTPBadRequest(text="expected a 'scan' field")
    scan_id = uuid.uuid4().hex
    path = SCANS / f"{scan_id}.tif"
    async with aiofiles.open(path, "wb") as out:
        while chunk := await field.read_chunk(1 << 20):
            await out.write(chunk)
    loop = asyncio.get_running_loop()
    thumb, gauge = await loop.run_in_executor(request.app["procs"], analyse_scan, str(path))
    db: aiosqlite.Connection = request.app["db"]
    await db.execute(
        "INSERT INTO stamps (id, owner, country, year, gauge, thumb) VALUES (?, ?, ?, ?, ?, ?)",
        (scan_id, request.headers["X-Member"], request.query.get("country"), request.query.get("year"), gauge, thumb),
    )
    await db.commit()
    return web.json_response({"id": scan_id, "gauge": gauge}, status=201)


async def browse(request: web.Request) -> web.Response:
    page = max(1, int(request.query.get("page", "1")))
    db: aiosqlite.Connection = request.app["db"]
    async with db.execute(
        "SELECT id, country, year, gauge FROM stamps WHERE (? IS NULL OR country = ?) ORDER BY year, id LIMIT ? OFFSET ?",
        (request.query.get("country"), request.query.get("country"), PAGE_SIZE, (page - 1) * PAGE_SIZE),
    ) as cur:
        rows = await cur.fetchall()
    return web.json_response({"page": page, "stamps": [dict(zip(("id", "country", "year", "gauge"), r)) for r in rows]})


async def thumbnail(request: web.Request) -> web.Response:
    db: aiosqlite.Connection = request.app["db"]
    async with db.execute("SELECT thumb FROM stamps WHERE id = ?", (request.match_info["stamp_id"],)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise web.HTTPNotFound()
    return web.Response(body=row[0], content_type="image/jpeg")


async def resources(app: web.Application):
    app["db"] = await aiosqlite.connect("/srv/stamps/catalogue.db")
    app["procs"] = ProcessPoolExecutor(max_workers=3)
    yield
    await asyncio.to_thread(app["procs"].shutdown, wait=True, cancel_futures=True)
    await app["db"].close()


def make_app() -> web.Application:
    app = web.Application(client_max_size=400 * 1024 * 1024)
    app.cleanup_ctx.append(resources)
    app.router.add_post("/stamps", upload)
    app.router.add_get("/stamps", browse)
    app.router.add_get("/stamps/{stamp_id}/thumb.jpg", thumbnail)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8070)
