"""Startup sequencing for the search API: the HTTP server comes up at once,
but /search waits until the index snapshot has been loaded."""
import asyncio
import logging

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger("search")

SNAPSHOT_URL = "http://snapshots.internal/search/latest.json"
UPSTREAM_HEALTH = "http://embedder.internal/healthz"


class State:
    def __init__(self) -> None:
        self.index: dict[str, list[str]] = {}
        self.ready = False
        self.client = httpx.AsyncClient(timeout=10)
        self.tasks: list[asyncio.Task] = []


state = State()


async def load_snapshot() -> None:
    r = await state.client.get(SNAPSHOT_URL)
    r.raise_for_status()
    state.index = r.json()
    state.ready = True
    log.info("index loaded: %d terms", len(state.index))


async def wait_for_embedder() -> None:
    # the embedder is another service: polling its health endpoint is the only option
    while True:
        try:
            r = await state.client.get(UPSTREAM_HEALTH)
            if r.status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(2)


async def refresh_forever() -> None:
    try:
        while True:
            await asyncio.sleep(300)
            await load_snapshot()
    except asyncio.CancelledError:  # bug: ADC601
        log.info("snapshot refresher stopped")


async def search(request):
    while not state.ready:  # bug: ADC503
        await asyncio.sleep(0.1)
    term = request.query_params.get("q", "").lower()
    return JSONResponse({"hits": state.index.get(term, [])})


async def startup() -> None:
    await wait_for_embedder()
    state.tasks.append(asyncio.create_task(load_snapshot()))
    state.tasks.append(asyncio.create_task(refresh_forever()))


async def shutdown() -> None:
    for t in state.tasks:
        t.cancel()
    await asyncio.gather(*state.tasks, return_exceptions=True)
    await state.client.aclose()


app = Starlette(routes=[Route("/search", search)], on_startup=[startup], on_shutdown=[shutdown])
