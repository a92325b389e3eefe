"""Council urban forestry: arborists upload their survey workbooks (one row per
tree, 5-40k rows per ward), which are geocoded and loaded into the inventory."""
import asyncio
import io
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pandas as pd
from fastapi import FastAPI, HTTPException, Request, UploadFile
from PIL import Image

GAZETTEER = "https://gis.council.internal/gazetteer/v1/reverse"
SPECIES_API = "https://species.council.internal/v1/canonical"
SPECIES_LIMIT = asyncio.Semaphore(8)
COLUMNS = ["tag", "species", "dbh_cm", "height_m", "condition", "lat", "lon"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["TREES_DSN"])
    app.state.http = httpx.AsyncClient(timeout=10)
    yield
    await app.state.http.aclose()
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def canonical_name(http: httpx.AsyncClient, common: str) -> str:
    async with SPECIES_LIMIT:
        resp = await http.get(SPECIES_API, params={"q": common})
    return resp.json().get("binomial", common) if resp.status_code == 200 else common


async def locate(http: httpx.AsyncClient, row: dict) -> None:
    resp = await http.get(GAZETTEER, params={"lat": row["lat"], "lon": row["lon"]})
    resp.raise_for_status()
    place = resp.json()
    row["street"], row["ward"] = place["street"], place["ward"]


@app.post("/surveys")
async def upload_survey(file: UploadFile, request: Request):
    http = request.app.state.http
    payload = await file.read()
    frame = pd.read_excel(io.BytesIO(payload), sheet_name="Survey", usecols=COLUMNS, dtype={"tag": str})  # bug: ADC101
    rows = frame.dropna(subset=["lat", "lon"]).to_dict("records")
    if not rows:
        raise HTTPException(422, "no trees with coordinates in the Survey sheet")
    common_names = sorted({r["species"] for r in rows})
    binomials = await asyncio.gather(*(canonical_name(http, s) for s in common_names))
    species = dict(zip(common_names, binomials))
    async with asyncio.TaskGroup() as tg:
        for row in rows:
            tg.create_task(locate(http, row))  # bug: ADC502
    records = [
        (r["tag"], species[r["species"]], r["dbh_cm"], r["height_m"], r["condition"], r["street"], r["ward"], r["lat"], r["lon"])
        for r in rows
    ]
    async with request.app.state.pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute("DELETE FROM trees_staging")
            await conn.copy_records_to_table("trees_staging", records=records)
            await conn.execute("CALL merge_trees_staging()")
    return {"trees": len(records), "species": len(species)}


def _thumbnail(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.thumbnail((800, 800))
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=82)
    return out.getvalue()


@app.post("/trees/{tag}/photo")
async def tree_photo(tag: str, file: UploadFile, request: Request):
    thumb = await asyncio.to_thread(_thumbnail, await file.read())
    updated = await request.app.state.pool.execute("UPDATE trees SET photo = $1 WHERE tag = $2", thumb, tag)
    if updated == "UPDATE 0":
        raise HTTPException(404, "unknown tree tag")
    return {"tag": tag, "bytes": len(thumb)}
