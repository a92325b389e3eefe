"""HTTP endpoint that the badge readers call, plus the front desk's controls."""
from __future__ import annotations

import asyncio
import os
import signal
from datetime import date

import aiohttp
from aiohttp import web

from . import acl, audit
from .doors import DOORS, RelayBoard


async def badge(request: web.Request) -> web.Response:
    body = await request.json()
    door = DOORS[body["door"]]
    granted = acl.allowed(request.app, body["badge"], door["zone"])
    await audit.record(body["badge"], body["door"], granted)
    if granted:
        await request.app["board"].pulse(door["coil"])
    return web.json_response({"granted": granted})


async def event_mode(request: web.Request) -> web.Response:
    door = DOORS[request.match_info["door"]]
    task = asyncio.create_task(request.app["board"].hold_open(door["coil"], int(request.query["minutes"])))
    request.app["held"].add(task)
    task.add_done_callback(request.app["held"].discard)
    return web.json_response({"held": request.match_info["door"]})


async def audit_day(request: web.Request) -> web.Response:
    return web.json_response(await audit.export_day(date.fromisoformat(request.match_info["day"])))


async def on_startup(app: web.Application) -> None:
    app["http"] = aiohttp.ClientSession(headers={"Authorization": f"Bearer {os.environ['DESKBOOK_TOKEN']}"})
    app["board"] = RelayBoard(os.environ.get("RELAY_BOARD", "10.4.0.20"))
    app["held"] = set()
    await app["board"].client.connect()
    await acl.reload_acl(app)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, acl.reload_acl, app)  # bug: ADC202


async def on_cleanup(app: web.Application) -> None:
    for task in app["held"]:
        task.cancel()
    await asyncio.gather(*app["held"], return_exceptions=True)
    await app["http"].close()
    app["board"].client.close()


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_post("/badge", badge)
    app.router.add_post("/doors/{door}/hold", event_mode)
    app.router.add_get("/audit/{day}", audit_day)
    return app
