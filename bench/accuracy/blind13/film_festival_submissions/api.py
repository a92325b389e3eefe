"""Starlette app behind the festival's submission form."""
from __future__ import annotations

import asyncio
import json
import os
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import aiofiles
import asyncpg
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import jury, media, screening

UPLOADS = Path("/srv/tidewater/uploads")


async def submit(request: Request) -> JSONResponse:
    form = await request.form()
    upload = form["film"]
    dest = UPLOADS / f"{uuid.uuid4()}{Path(upload.filename).suffix}"
    async with aiofiles.open(dest, "wb") as f:
        while chunk := await upload.read(1 << 20):
            await f.write(chunk)
    info = media.summarize(media.probe(dest))  # bug: ADC101
    if info["duration_s"] > 40 * 60:
        return JSONResponse({"error": "shorts must run under 40 minutes"}, status_code=422)
    state = request.app.state
    sub_id = await state.pool.fetchval(
        "INSERT INTO submissions (title, director, producer, company, section, source, meta)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        form["title"], form["director"], form["producer"], form["company"], form["section"], str(dest), json.dumps(info),
    )
    task = asyncio.create_task(screening.prepare(state.pool, sub_id, dest))
    state.background.add(task)
    task.add_done_callback(state.background.discard)
    return JSONResponse({"id": sub_id, **info}, status_code=201)


async def recheck(request: Request) -> JSONResponse:
    row = await request.app.state.pool.fetchrow(
        "SELECT source FROM submissions WHERE id = $1", request.path_params["id"]
    )
    return JSONResponse(media.summarize(await media.probe_async(Path(row["source"]))))


async def panel(request: Request) -> JSONResponse:
    state = request.app.state
    sub = await state.pool.fetchrow("SELECT * FROM submissions WHERE id = $1", request.path_params["id"])
    return JSONResponse({"jurors": await jury.assign_jurors(state.pool, state.registry, dict(sub))})


@asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(os.environ["FESTIVAL_DSN"])
    app.state.registry = httpx.AsyncClient(base_url=os.environ["COI_REGISTRY"], timeout=10)
    app.state.background = set()
    try:
        yield
    finally:
        await asyncio.gather(*app.state.background, return_exceptions=True)
        await app.state.registry.aclose()
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/submissions", submit, methods=["POST"]),
        Route("/submissions/{id:int}/recheck", recheck, methods=["POST"]),
        Route("/submissions/{id:int}/panel", panel, methods=["POST"]),
    ],
    lifespan=lifespan,
)
