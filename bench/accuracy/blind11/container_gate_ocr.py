"""OCR portal for the north truck gate: lane cameras post JPEGs, we talk to the TOS."""
import asyncio
import io
import logging
import re

import aiohttp
import pytesseract
from aiohttp import web
from PIL import Image, ImageOps

log = logging.getLogger("gate-ocr")

TOS = "https://tos.terminal.example"
LANE_CONFIG = "https://config.terminal.example/gates/north.json"
ISO6346 = re.compile(r"([A-Z]{3}[UJZ])(\d{6})(\d)")
CONTAINER_CFG = "--psm 7 -c tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SEAL_CFG = "--psm 7 -c tessedit_char_whitelist=0123456789"


def check_digit(code: str) -> int:
    values = {c: v for c, v in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [
        10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24,
        25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38])}
    total = sum((values[c] if c.isalpha() else int(c)) * 2 ** i for i, c in enumerate(code))
    return total % 11 % 10


def _read_container_number(jpeg: bytes) -> str | None:
    img = ImageOps.autocontrast(ImageOps.grayscale(Image.open(io.BytesIO(jpeg))))
    text = pytesseract.image_to_string(img, config=CONTAINER_CFG).replace(" ", "")
    m = ISO6346.search(text)
    if m and check_digit(m.group(1) + m.group(2)) == int(m.group(3)):
        return m.group(0)
    return None


async def load_lane_config(app: web.Application) -> None:
    session = aiohttp.ClientSession()  # bug: ADC401
    async with session.get(LANE_CONFIG) as resp:
        resp.raise_for_status()
        app["lanes"] = await resp.json()


async def open_tos(app: web.Application) -> None:
    app["tos"] = aiohttp.ClientSession(base_url=TOS, timeout=aiohttp.ClientTimeout(total=10))
    app["pending"] = set()


async def close_tos(app: web.Application) -> None:
    await asyncio.gather(*app["pending"], return_exceptions=True)
    await app["tos"].close()


async def tos_visit(tos: aiohttp.ClientSession, number: str) -> dict | None:
    async with tos.get("/api/v1/visits", params={"container": number, "state": "expected"}) as resp:
        resp.raise_for_status()
        visits = await resp.json()
    return visits[0] if visits else None


async def release_lane(tos: aiohttp.ClientSession, lane: str, visit_id: str) -> None:
    async with tos.post(f"/api/v1/lanes/{lane}/release", json={"visit": visit_id}) as resp:
        if resp.status >= 400:
            log.error("lane %s: TOS refused release of %s (%s)", lane, visit_id, resp.status)


async def container_shot(request: web.Request) -> web.Response:
    lane = request.match_info["lane"]
    if lane not in request.app["lanes"]:
        raise web.HTTPNotFound()
    number = await asyncio.to_thread(_read_container_number, await request.read())
    if number is None:
        return web.json_response({"lane": lane, "result": "manual"}, status=202)
    try:
        visit = await asyncio.wait_for(asyncio.create_task(tos_visit(request.app["tos"], number)), 3)  # bug: ADC302
    except asyncio.TimeoutError:
        return web.json_response({"lane": lane, "container": number, "result": "manual"}, status=202)
    if visit is None:
        return web.json_response({"lane": lane, "container": number, "result": "no-booking"})
    task = asyncio.create_task(release_lane(request.app["tos"], lane, visit["id"]))
    request.app["pending"].add(task)
    task.add_done_callback(request.app["pending"].discard)
    return web.json_response({"lane": lane, "container": number, "result": "released"})


async def seal_shot(request: web.Request) -> web.Response:
    lane = request.match_info["lane"]
    body = await request.read()
    text = pytesseract.image_to_string(Image.open(io.BytesIO(body)), config=SEAL_CFG)  # bug: ADC101
    seal = "".join(ch for ch in text if ch.isdigit())
    async with request.app["tos"].post(f"/api/v1/lanes/{lane}/seal", json={"seal": seal}) as resp:
        resp.raise_for_status()
    return web.json_response({"lane": lane, "seal": seal})


def make_app() -> web.Application:
    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.on_startup.extend([load_lane_config, open_tos])
    app.on_cleanup.append(close_tos)
    app.router.add_post("/lanes/{lane}/container", container_shot)
    app.router.add_post("/lanes/{lane}/seal", seal_shot)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8090)
