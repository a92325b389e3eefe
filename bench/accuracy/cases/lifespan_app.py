from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

import httpx
from fastapi import BackgroundTasks, FastAPI, Request

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(base_url="http://catalog.internal", timeout=5)
    app.state.jobs = set()
    yield
    for task in app.state.jobs:
        task.cancel()
    await asyncio.gather(*app.state.jobs, return_exceptions=True)
    await app.state.http.aclose()


app = FastAPI(lifespan=lifespan)


async def record_view(http: httpx.AsyncClient, product_id: int) -> None:
    await http.post("/views", json={"product": product_id})


@app.get("/products/{product_id}")
async def product(product_id: int, request: Request, background: BackgroundTasks):
    http: httpx.AsyncClient = request.app.state.http
    details, stock = await asyncio.gather(
        http.get(f"/products/{product_id}"),
        http.get(f"/stock/{product_id}"),
    )
    background.add_task(record_view, http, product_id)
    return {**details.json(), "in_stock": stock.json()["qty"] > 0}


@app.post("/reindex")
async def reindex(request: Request):
    http: httpx.AsyncClient = request.app.state.http
    task = asyncio.create_task(http.post("/reindex"))
    request.app.state.jobs.add(task)
    task.add_done_callback(request.app.state.jobs.discard)
    return {"status": "started"}
