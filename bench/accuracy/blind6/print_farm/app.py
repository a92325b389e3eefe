"""aiohttp application wiring."""
import os

import aiohttp
from aiohttp import web

from . import jobs
from .octoprint import Fleet, Printer

HOSTS = {"mk4-a": "http://10.8.0.21", "mk4-b": "http://10.8.0.22", "mk4-c": "http://10.8.0.23"}


async def _startup(app: web.Application) -> None:
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    key = os.environ["OCTOPRINT_KEY"]
    app["fleet"] = Fleet([Printer(n, u, key, app["http"]) for n, u in HOSTS.items()])


async def _cleanup(app: web.Application) -> None:
    await app["http"].close()


def create_app() -> web.Application:
    app = web.Application(client_max_size=200 * 1024 * 1024)
    app.on_startup.append(_startup)
    app.on_cleanup.append(_cleanup)
    app.router.add_post("/jobs", jobs.submit)
    app.router.add_post("/printers/{name}/cancel", jobs.cancel)
    return app
