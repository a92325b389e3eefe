"""Case intake for a dental laboratory.

Practices upload the export of their intraoral scanner: a zip with an
order.json and one STL per unit (crowns, bridge units, abutments). The lab
stores the scans on the case volume and books the units at the milling
centre. Bridge units are booked in position order because every job after
the first names the previous one as its connector partner.
"""
import asyncio
import io
import json
import logging
import os
import zipfile
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request, UploadFile

log = logging.getLogger("dental-lab")

CASES_ROOT = Path("/srv/cases")
DB_DSN = "postgresql://lab@db.internal/orders"
MILLING_API = "https://api.millingcentre.example/v2"
SHADE_API = "https://shades.example/api"
MILLING_TOKEN = os.environ.get("MILLING_TOKEN", "")
MATERIALS = {"zirconia", "emax", "pmma", "titanium"}


def read_order(payload: bytes) -> tuple[dict, list[str]]:
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        order = json.loads(zf.read("order.json"))
        stl = [n for n in zf.namelist() if n.lower().endswith(".stl")]
    return order, stl


def list_scans(case_id: int) -> list[str]:
    return sorted(p.name for p in (CASES_ROOT / str(case_id)).glob("*.stl"))


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=8)
    app.state.shades = httpx.AsyncClient(base_url=SHADE_API, timeout=10)
    try:
        yield
    finally:
        await app.state.shades.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def book_milling(unit: dict, case_id: int, vita: str, partner: str | None) -> str:
    async with httpx.AsyncClient(base_url=MILLING_API, timeout=20) as client:  # bug: ADC402
        resp = await client.post(
            "/jobs",
            headers={"Authorization": f"Bearer {MILLING_TOKEN}"},
            json={
                "reference": f"case-{case_id}-{unit['tooth']}",
                "material": unit["material"],
                "shade": vita,
                "design_file": unit["stl"],
                "connector_partner": partner,
            },
        )
        resp.raise_for_status()
        return resp.json()["job_id"]


@app.post("/cases")
async def create_case(scan: UploadFile, request: Request) -> dict:
    payload = await scan.read()
    order, stl_files = await asyncio.to_thread(read_order, payload)
    units = order.get("units", [])
    if not units or any(u["material"] not in MATERIALS for u in units):
        raise HTTPException(422, "empty order or unknown material")
    shade = await request.app.state.shades.get(f"/guides/{order['shade']}")
    if shade.status_code == 404:
        raise HTTPException(422, f"unknown shade {order['shade']}")
    shade.raise_for_status()
    vita = shade.json()["vita_code"]
    pool = request.app.state.pool
    case_id = await pool.fetchval(
        "INSERT INTO cases (practice, patient_ref, due) VALUES ($1, $2, $3) RETURNING id",
        order["practice"], order["patient_ref"], order["due"],
    )
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        zf.extractall(CASES_ROOT / str(case_id), members=stl_files)  # bug: ADC101
    partner = None
    for unit in sorted(units, key=lambda u: u["position"]):
        partner = await book_milling(unit, case_id, vita, partner)
        await pool.execute(
            "INSERT INTO milling_jobs (case_id, tooth, job_id) VALUES ($1, $2, $3)",
            case_id, unit["tooth"], partner,
        )
    log.info("case %s: %d units booked", case_id, len(units))
    return {"case_id": case_id, "units": len(units)}


@app.get("/cases/{case_id}/scans")
async def scans(case_id: int) -> dict:
    names = await asyncio.to_thread(list_scans, case_id)
    if not names:
        raise HTTPException(404, "no scans stored for this case")
    return {"case_id": case_id, "scans": names}


@app.get("/cases/{case_id}")
async def case_status(case_id: int, request: Request) -> dict:
    pool = request.app.state.pool
    async with pool.acquire() as conn:
        case = await conn.fetchrow("SELECT * FROM cases WHERE id = $1", case_id)
        if case is None:
            raise HTTPException(404, "unknown case")
        jobs = await conn.fetch("SELECT tooth, job_id FROM milling_jobs WHERE case_id = $1", case_id)
    return {"case": dict(case), "jobs": [dict(j) for j in jobs]}
