"""Soil analysis results: ICP-OES exports in; farm platform records and PDF reports out."""
import asyncio
import io
import json
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pandas as pd
from fastapi import FastAPI, HTTPException, Request, UploadFile
from fastapi.responses import Response
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

FARM_API = "https://api.fieldplatform.example/v3"
ELEMENTS = ("P", "K", "Mg", "Ca", "Na", "S", "Cu", "Zn", "Mn", "B")
PLATFORM_LIMIT = asyncio.Semaphore(8)


def _parse_export(raw: bytes) -> list[dict]:
    df = pd.read_csv(io.BytesIO(raw), skiprows=3).rename(columns=str.strip)
    wide = df.pivot_table(index="Sample ID", columns="Element", values="Conc (mg/l)", aggfunc="mean")
    wide = wide.reindex(columns=list(ELEMENTS))
    return [{"sample": sid, **{k: (None if pd.isna(v) else float(v)) for k, v in row.items()}}
            for sid, row in wide.iterrows()]


async def _jsonb(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["LIMS_DSN"], init=_jsonb)
    app.state.farm = httpx.AsyncClient(
        base_url=FARM_API, headers={"Authorization": f"Bearer {os.environ['FARM_TOKEN']}"}, timeout=15
    )
    yield
    await app.state.farm.aclose()
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def push_sample(farm: httpx.AsyncClient, submission: str, sample: dict) -> None:
    resp = await farm.post(f"/lab-results/{submission}/samples", json=sample)
    resp.raise_for_status()


async def push_bounded(farm: httpx.AsyncClient, submission: str, sample: dict) -> None:
    async with PLATFORM_LIMIT:
        await push_sample(farm, submission, sample)


async def load_samples(pool: asyncpg.Pool, submission: str) -> list[dict]:
    rows = await pool.fetch("select data from results where submission = $1 order by sample", submission)
    return [r["data"] for r in rows]


@app.post("/submissions/{submission}/results")
async def upload_results(submission: str, export: UploadFile, request: Request):
    samples = await asyncio.to_thread(_parse_export, await export.read())
    if not samples:
        raise HTTPException(422, "no samples in export")
    await request.app.state.pool.executemany(
        "insert into results (submission, sample, data) values ($1, $2, $3)"
        " on conflict (submission, sample) do update set data = excluded.data",
        [(submission, s["sample"], s) for s in samples],
    )
    farm = request.app.state.farm
    await asyncio.gather(*(push_sample(farm, submission, s) for s in samples))  # bug: ADC502
    return {"submission": submission, "samples": len(samples)}


@app.post("/submissions/{submission}/repush")
async def repush(submission: str, request: Request):
    samples = await load_samples(request.app.state.pool, submission)
    farm = request.app.state.farm
    results = await asyncio.gather(
        *(push_bounded(farm, submission, s) for s in samples), return_exceptions=True
    )
    failed = [s["sample"] for s, r in zip(samples, results) if isinstance(r, Exception)]
    return {"submission": submission, "pushed": len(samples) - len(failed), "failed": failed}


@app.get("/submissions/{submission}/report.pdf")
async def report(submission: str, request: Request):
    samples = await load_samples(request.app.state.pool, submission)
    styles = getSampleStyleSheet()
    story = [Paragraph(f"Soil analysis - submission {submission}", styles["Title"])]
    for s in samples:
        story.append(Paragraph(f"Sample {s['sample']}", styles["Heading2"]))
        story.append(Table([["Element", "mg/l"]] + [[e, s.get(e) or "-"] for e in ELEMENTS]))
        story.append(PageBreak())
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"Soil analysis {submission}")
    doc.build(story)  # bug: ADC101
    return Response(buf.getvalue(), media_type="application/pdf")
