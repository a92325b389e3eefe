"""Formulation service for a small perfume house's lab (FastAPI).

Perfumers save formulas (materials and parts per thousand). Saving a new
version checks every material against the IFRA limits service and the
supplier's price list, and writes the version and its lines in one
transaction. The GC-MS report of a trial batch is parsed and compared
with the formula. `export_sync` is used by the label printer's script.
"""
import asyncio
import contextlib
import csv
import io
import logging
import os
import sys
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request, UploadFile

log = logging.getLogger("formulas")

DB_DSN = os.environ.get("LAB_DSN", "postgresql://lab@localhost/formulas")
IFRA = "https://limits.ifra-service.example/api/v51"
SUPPLIER = "https://prices.aromachem-supplier.example/api"


def parse_gcms(raw: bytes) -> dict[str, float]:
    reader = csv.DictReader(io.StringIO(raw.decode("latin-1")), delimiter=";")
    return {row["CAS"]: float(row["Area%"].replace(",", ".")) for row in reader if row.get("CAS")}


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with AsyncExitStack() as stack:
        app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=5)
        stack.push_async_callback(app.state.pool.close)
        app.state.ifra = await stack.enter_async_context(httpx.AsyncClient(base_url=IFRA, timeout=10))
        app.state.prices = await stack.enter_async_context(httpx.AsyncClient(base_url=SUPPLIER, timeout=10))
        yield


app = FastAPI(lifespan=lifespan)


async def ifra_limits(client: httpx.AsyncClient, cas_numbers: list[str], category: str) -> dict[str, float]:
    resp = await client.post("/limits", json={"cas": cas_numbers, "category": category})
    resp.raise_for_status()
    return {item["cas"]: item["max_percent"] for item in resp.json()["limits"]}


async def price_list(client: httpx.AsyncClient, cas_numbers: list[str]) -> dict[str, float]:
    resp = await client.get("/prices", params={"cas": ",".join(cas_numbers)})
    resp.raise_for_status()
    return {p["cas"]: p["eur_per_kg"] for p in resp.json()}


@app.post("/formulas/{name}/versions")
async def save_version(name: str, lines: dict[str, float], category: str, request: Request) -> dict:
    cas = sorted(lines)
    async with asyncio.timeout(15):
        limits, prices = await asyncio.gather(
            ifra_limits(request.app.state.ifra, cas, category), price_list(request.app.state.prices, cas)
        )
    total = sum(lines.values())
    over = {c: round(p / total * 100, 3) for c, p in lines.items() if c in limits and p / total * 100 > limits[c]}
    if over:
        raise HTTPException(422, {"over_ifra_limit": over})
    cost = sum(lines[c] / total * prices.get(c, 0.0) for c in cas)
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        version = await conn.fetchval(
            "INSERT INTO versions (formula, number, category, cost_eur_kg)"
            " SELECT $1, coalesce(max(number), 0) + 1, $2, $3 FROM versions WHERE formula = $1 RETURNING number",
            name, category, cost,
        )
        await conn.executemany(
            "INSERT INTO lines (formula, version, cas, parts) VALUES ($1, $2, $3, $4)",
            [(name, version, c, lines[c]) for c in cas],
        )
    return {"formula": name, "version": version, "cost_eur_kg": round(cost, 2)}


@app.post("/formulas/{name}/versions/{version}/gcms")
async def compare_trial(name: str, version: int, report: UploadFile, request: Request) -> dict:
    expected = asyncio.create_task(request.app.state.pool.fetch(
        "SELECT cas, parts FROM lines WHERE formula = $1 AND version = $2", name, version
    ))
    try:
        raw = await report.read()
        measured = await asyncio.to_thread(parse_gcms, raw)
    except BaseException:
        expected.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await expected
        raise
    rows = await expected
    total = sum(r["parts"] for r in rows) or 1
    drift = {r["cas"]: round(measured.get(r["cas"], 0.0) - r["parts"] / total * 100, 2) for r in rows}
    return {"formula": name, "version": version, "drift_percent": drift}


async def export(name: str) -> list[tuple[str, float]]:
    conn = await asyncpg.connect(DB_DSN)
    try:
        rows = await conn.fetch(
            "SELECT cas, parts FROM lines WHERE formula = $1 AND version ="
            " (SELECT max(version) FROM lines WHERE formula = $1) ORDER BY parts DESC", name
        )
    finally:
        await conn.close()
    return [(r["cas"], r["parts"]) for r in rows]


def export_sync(name: str) -> list[tuple[str, float]]:
    return asyncio.run(export(name))


if __name__ == "__main__":
    for cas, parts in export_sync(sys.argv[1]):
        print(f"{cas}\t{parts}")
