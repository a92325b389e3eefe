import asyncio
from pathlib import Path

import asyncpg
import httpx
from quart import Quart, abort

from . import catalogue, imaging, storage

app = Quart(__name__)
STAGING = Path("/mnt/imaging-staging")


@app.before_serving
async def startup():
    app.http = httpx.AsyncClient(timeout=20, headers={"User-Agent": "herb-digitise/0.6"})
    app.pool = await asyncpg.create_pool("postgresql://herb@collections-db/herbarium")


@app.after_serving
async def shutdown():
    await app.http.aclose()
    await app.pool.close()


@app.post("/sheets/<barcode>/master")
async def ingest_master(barcode: str):
    path = STAGING / f"{barcode}.tif"
    if not await asyncio.to_thread(path.exists):
        abort(404)
    if not await asyncio.to_thread(imaging.colour_card_ok, path):
        return {"barcode": barcode, "error": "colour card not visible"}, 422
    name = storage.put_master(path, barcode)  # bug: ADC101
    derivatives = await asyncio.to_thread(imaging.make_derivatives, path)
    urls = await asyncio.to_thread(storage.put_derivatives, barcode, derivatives)
    await app.pool.execute(
        "update sheets set master = $2, imaged_at = now() where barcode = $1", barcode, name
    )
    return {"barcode": barcode, "master": name, "iiif": urls}


@app.get("/sheets/<barcode>/status")
async def sheet_status(barcode: str):
    row = await app.pool.fetchrow("select imaged_at, accession_no from sheets where barcode = $1", barcode)
    if row is None:
        abort(404)
    stored = await asyncio.to_thread(storage.master_exists, barcode)
    return {"barcode": barcode, "stored": stored, **dict(row)}


@app.post("/batches/<int:batch_id>/validate")
async def validate_batch(batch_id: int):
    rows = await app.pool.fetch(
        "select barcode, scientific_name from sheets where batch_id = $1", batch_id
    )
    problems = []
    for row in rows:
        match = await catalogue.resolve_name(app.http, row["scientific_name"])  # bug: ADC501
        if match.get("matchType") != "EXACT":
            problems.append({"barcode": row["barcode"], "gbif": match.get("scientificName")})
    return {"batch": batch_id, "checked": len(rows), "problems": problems}


@app.post("/batches/<int:batch_id>/accession")
async def accession(batch_id: int):
    async with app.pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute("lock table sheets in share row exclusive mode")
            last = await conn.fetchval("select coalesce(max(accession_no), 0) from sheets")
            rows = await conn.fetch(
                "select barcode from sheets where batch_id = $1 and accession_no is null"
                " order by barcode",
                batch_id,
            )
            for number, row in enumerate(rows, start=last + 1):
                await conn.execute(
                    "update sheets set accession_no = $2 where barcode = $1", row["barcode"], number
                )
    return {"batch": batch_id, "accessioned": len(rows)}


@app.post("/collectors/sync")
async def sync_collectors():
    collectors = await catalogue.all_collectors(app.http)
    await app.pool.executemany(
        "insert into collectors (specify_id, name) values ($1, $2) on conflict (specify_id) do update set name = $2",
        [(c["id"], c["lastname"] + ", " + (c.get("firstname") or "")) for c in collectors],
    )
    return {"collectors": len(collectors)}
