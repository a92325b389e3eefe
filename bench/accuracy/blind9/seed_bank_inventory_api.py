"""Seed bank inventory: accessions, germination tests and taxonomy look-ups (FastAPI)."""
from __future__ import annotations

import asyncio
import io
import logging
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

log = logging.getLogger("seedbank")
SOURCES = (
    ("gbif", "https://api.gbif.org/v1/species/match"),
    ("powo", "https://powo.science.kew.org/api/2/search"),
    ("wfo", "https://list.worldfloraonline.org/matching_rest.php"),
)


class Withdrawal(BaseModel):
    accession: str
    seeds: int
    requester: str


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["SEEDBANK_DSN"], max_size=10)
    app.state.http = httpx.AsyncClient(timeout=10, headers={"User-Agent": "seedbank/2.0"})
    try:
        yield
    finally:
        await app.state.http.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def _match(http: httpx.AsyncClient, source: str, url: str, name: str) -> tuple[str, dict | None]:
    try:
        async with asyncio.timeout(6):
            resp = await http.get(url, params={"name": name, "q": name})
            resp.raise_for_status()
            return source, resp.json()
    except (httpx.HTTPError, TimeoutError):
        return source, None


@app.get("/taxa/{name}")
async def taxon(name: str, request: Request) -> dict:
    results = await asyncio.gather(*(_match(request.app.state.http, s, u, name) for s, u in SOURCES))
    return {source: data for source, data in results}


@app.post("/withdrawals", status_code=201)
async def withdraw(body: Withdrawal, request: Request) -> dict:
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:
        try:
            async with conn.transaction():
                left = await conn.fetchval(
                    "UPDATE accessions SET seed_count = seed_count - $2 WHERE code = $1 AND seed_count >= $2 "
                    "RETURNING seed_count",
                    body.accession, body.seeds,
                )
                if left is None:
                    raise HTTPException(409, "not enough seed in this accession")
                await conn.execute(
                    "INSERT INTO withdrawals (accession, seeds, requester) VALUES ($1, $2, $3)",
                    body.accession, body.seeds, body.requester,
                )
        except asyncio.CancelledError:
            log.warning("withdrawal for %s cancelled mid-transaction; rolled back", body.accession)
            raise
    return {"accession": body.accession, "remaining": left}


def _germination_chart(rows: list[asyncpg.Record]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([r["tested_on"] for r in rows], [r["pct"] for r in rows], marker="o")
    ax.set_ylim(0, 100)
    ax.set_ylabel("germination %")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    return buf.getvalue()


@app.get("/accessions/{code}/germination.png")
async def germination_chart(code: str, request: Request) -> Response:
    rows = await request.app.state.pool.fetch(
        "SELECT tested_on, pct FROM germination_tests WHERE accession = $1 ORDER BY tested_on", code
    )
    if not rows:
        raise HTTPException(404, "no tests recorded")
    png = await asyncio.to_thread(_germination_chart, rows)
    return Response(png, media_type="image/png")
