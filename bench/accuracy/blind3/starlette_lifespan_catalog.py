from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger("catalog")

DSN = os.environ.get("CATALOG_DSN", "postgresql://catalog@db/catalog")


async def _load_categories(dsn: str) -> dict[int, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT id, name FROM categories")
    finally:
        await conn.close()
    return {r["id"]: r["name"] for r in rows}


def warm_category_cache(dsn: str) -> dict[int, str]:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_load_categories(dsn))
    finally:
        loop.close()


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(DSN, min_size=2, max_size=20)
    app.state.categories = warm_category_cache(DSN)  # bug: ADC103
    log.info("loaded %d categories", len(app.state.categories))
    try:
        yield
    finally:
        await app.state.pool.close()


async def product(request: Request) -> JSONResponse:
    pool: asyncpg.Pool = request.app.state.pool
    product_id = int(request.path_params["product_id"])
    fetch_stock = asyncio.create_task(
        pool.fetchval("SELECT sum(qty) FROM stock WHERE product_id = $1", product_id)
    )
    row = await pool.fetchrow("SELECT id, name, category_id, attrs FROM products WHERE id = $1", product_id)
    stock = await fetch_stock
    if row is None:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return JSONResponse(
        {
            "id": row["id"],
            "name": row["name"],
            "category": request.app.state.categories.get(row["category_id"]),
            "attrs": json.loads(row["attrs"] or "{}"),
            "stock": stock or 0,
        }
    )


async def related(request: Request) -> JSONResponse:
    pool: asyncpg.Pool = request.app.state.pool
    product_id = int(request.path_params["product_id"])
    if request.query_params.get("by") == "category":
        task = asyncio.create_task(  # bug: ADC302
            pool.fetch(
                "SELECT p.id, p.name FROM products p JOIN products q ON q.category_id = p.category_id "
                "WHERE q.id = $1 AND p.id <> $1 LIMIT 10",
                product_id,
            )
        )
        rows = await task
    else:
        rows = await pool.fetch(
            "SELECT related_id AS id, name FROM product_links JOIN products ON id = related_id WHERE product_id = $1",
            product_id,
        )
    return JSONResponse([dict(r) for r in rows])


app = Starlette(
    routes=[
        Route("/products/{product_id:int}", product),
        Route("/products/{product_id:int}/related", related),
    ],
    lifespan=lifespan,
)
