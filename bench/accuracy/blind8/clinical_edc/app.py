"""FastAPI endpoints used by the site coordinators' tablets."""
from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel

from . import audit, notify, redcap_sync


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["AUDIT_DSN"], min_size=1, max_size=8)
    app.state.pager = httpx.AsyncClient(base_url=os.environ["PAGER_URL"], timeout=10)
    try:
        yield
    finally:
        await app.state.pager.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


class VisitForm(BaseModel):
    record_id: str
    event: str
    coordinator: str
    visit_date: date
    fields: dict[str, str]

    def to_redcap(self) -> dict:
        return {"record_id": self.record_id, "redcap_event_name": self.event,
                "visit_date": self.visit_date.isoformat(), **self.fields}


class SaeReport(BaseModel):
    record_id: str
    term: str
    grade: int
    reported_by: str


@app.post("/visits")
async def submit_visit(form: VisitForm, request: Request):
    record = form.to_redcap()
    written = redcap_sync.import_visit(record)  # bug: ADC101
    audit.record_event(request.app.state.pool, form.coordinator, "import", form.record_id, record)  # bug: ADC201
    return {"written": written}


@app.get("/records/{record_id}/forms/{form}")
async def read_form(record_id: str, form: str, request: Request, user: str):
    rows = await asyncio.to_thread(redcap_sync.export_form, form, [record_id])
    await audit.record_event(request.app.state.pool, user, "read", record_id, {"form": form, "rows": len(rows)})
    return rows


@app.get("/records/{record_id}/site")
def record_site(record_id: str):
    return {"site": redcap_sync.site_of(record_id)}


@app.post("/sae")
async def report_sae(report: SaeReport, request: Request):
    site = redcap_sync.site_of(report.record_id)
    contacts = await audit.on_call_contacts(request.app.state.pool, site)
    text = f"SAE at site {site}: {report.term} (grade {report.grade}), record {report.record_id}"
    page_ids = []
    for contact in contacts:
        page_ids.append(await notify.page(request.app.state.pager, contact["pager_id"], text))  # bug: ADC501
    await audit.record_event(request.app.state.pool, report.reported_by, "sae", report.record_id,
                             {**report.model_dump(), "pages": page_ids})
    return {"paged": len(page_ids)}
