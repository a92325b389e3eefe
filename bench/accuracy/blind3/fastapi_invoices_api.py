from __future__ import annotations

import contextlib
import os
from typing import Annotated, AsyncIterator

import asyncpg
import httpx
from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel

DSN = os.environ.get("INVOICES_DSN", "postgresql://invoices@db/invoices")
PDF_SERVICE = os.environ.get("PDF_SERVICE", "http://pdf-renderer:8000")
AUDIT_SERVICE = os.environ.get("AUDIT_SERVICE", "http://audit:8000")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DSN, min_size=2, max_size=20)
    app.state.pdf = httpx.AsyncClient(base_url=PDF_SERVICE, timeout=30)
    app.state.audit = httpx.AsyncClient(base_url=AUDIT_SERVICE, timeout=5)
    try:
        yield
    finally:
        await app.state.audit.aclose()
        await app.state.pdf.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def get_conn(request: Request) -> AsyncIterator[asyncpg.Connection]:
    async with request.app.state.pool.acquire() as conn:
        yield conn


def get_pdf_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.pdf


def get_audit_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.audit


Conn = Annotated[asyncpg.Connection, Depends(get_conn)]
Pdf = Annotated[httpx.AsyncClient, Depends(get_pdf_client)]


class InvoiceIn(BaseModel):
    customer_id: int
    lines: list[tuple[str, int, float]]


async def render_pdf(pdf: httpx.AsyncClient, pool: asyncpg.Pool, invoice_id: int) -> None:
    resp = await pdf.post("/render", json={"template": "invoice", "id": invoice_id})
    resp.raise_for_status()
    async with pool.acquire() as conn:
        await conn.execute("UPDATE invoices SET pdf_url = $1 WHERE id = $2", resp.json()["url"], invoice_id)


@app.post("/invoices", status_code=201)
async def create_invoice(body: InvoiceIn, conn: Conn, pdf: Pdf, request: Request, background: BackgroundTasks) -> dict:
    async with conn.transaction():
        invoice_id = await conn.fetchval(
            "INSERT INTO invoices (customer_id) VALUES ($1) RETURNING id", body.customer_id
        )
        await conn.executemany(
            "INSERT INTO invoice_lines (invoice_id, label, qty, unit_price) VALUES ($1, $2, $3, $4)",
            [(invoice_id, label, qty, price) for label, qty, price in body.lines],
        )
    background.add_task(render_pdf, pdf, request.app.state.pool, invoice_id)
    return {"id": invoice_id}


@app.get("/invoices/{invoice_id}")
async def get_invoice(invoice_id: int, conn: Conn) -> dict:
    row = await conn.fetchrow("SELECT id, customer_id, pdf_url, created_at FROM invoices WHERE id = $1", invoice_id)
    if row is None:
        raise HTTPException(404)
    lines = await conn.fetch(
        "SELECT label, qty, unit_price FROM invoice_lines WHERE invoice_id = $1 ORDER BY id", invoice_id
    )
    return {**dict(row), "lines": [dict(l) for l in lines]}


@app.delete("/invoices/{invoice_id}", status_code=204)
async def void_invoice(
    invoice_id: int, conn: Conn, audit: Annotated[httpx.AsyncClient, Depends(get_audit_client)]
) -> None:
    status = await conn.execute("UPDATE invoices SET voided = true WHERE id = $1 AND NOT voided", invoice_id)
    if status.endswith(" 0"):
        raise HTTPException(404)
    await audit.post("/events", json={"type": "invoice_voided", "id": invoice_id})
