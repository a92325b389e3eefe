"""Interlibrary loan requests for a regional library consortium (FastAPI).

A reader asks for a book the home library does not hold. The service
checks holdings at the partner libraries through their SRU endpoints,
proposes the lenders, and records the request. Partner SRU servers are
slow (one to three seconds per search).
"""
import logging
import os
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
import httpx
from fastapi import Depends, FastAPI, HTTPException, Request

log = logging.getLogger("ill")

DB_DSN = os.environ.get("ILL_DSN", "postgresql://ill@localhost/consortium")
HOME_SRU = "https://sru.homelibrary.example/sru"
UA = "consortium-ill/2.3 (+https://ill.consortium.example)"
NS = {"srw": "http://www.loc.gov/zing/srw/", "marc": "http://www.loc.gov/MARC21/slim"}


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=8)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def sru_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20, headers={"User-Agent": UA}) as client:  # bug: ADC402
        yield client


async def db(request: Request) -> AsyncIterator[asyncpg.Connection]:
    async with request.app.state.pool.acquire() as conn:
        yield conn


Sru = Annotated[httpx.AsyncClient, Depends(sru_client)]
Db = Annotated[asyncpg.Connection, Depends(db)]


def parse_records(xml: bytes) -> tuple[int, list[dict]]:
    root = ET.fromstring(xml)
    total = int(root.findtext("srw:numberOfRecords", "0", NS))
    records = []
    for rec in root.iterfind(".//marc:record", NS):
        title = rec.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", "", NS)
        items = len(rec.findall("marc:datafield[@tag='852']", NS))
        records.append({"title": title.strip(" /:"), "items": items})
    return total, records


async def search_holdings(client: httpx.AsyncClient, sru_url: str, isbn: str) -> int:
    resp = await client.get(sru_url, params={
        "version": "1.2", "operation": "searchRetrieve", "query": f"bath.isbn={isbn}",
        "recordSchema": "marcxml", "maximumRecords": "10",
    })
    resp.raise_for_status()
    _, records = parse_records(resp.content)
    return sum(r["items"] for r in records)


async def home_search(client: httpx.AsyncClient, query: str, limit: int = 200) -> list[dict]:
    found, start = [], 1
    while len(found) < limit:
        resp = await client.get(HOME_SRU, params={
            "version": "1.2", "operation": "searchRetrieve", "query": query,
            "recordSchema": "marcxml", "startRecord": str(start), "maximumRecords": "50",
        })
        resp.raise_for_status()
        total, records = parse_records(resp.content)
        found.extend(records)
        start += len(records)
        if not records or start > total:
            break
    return found[:limit]


@app.get("/search")
async def search(q: str, client: Sru) -> dict:
    return {"query": q, "records": await home_search(client, f'cql.anywhere all "{q}"')}


@app.post("/requests")
async def request_loan(isbn: str, reader_id: int, client: Sru, conn: Db) -> dict:
    partners = await conn.fetch(
        "SELECT code, sru_url FROM partners WHERE lending AND code <> 'HOME' ORDER BY priority"
    )
    holdings = {}
    for lib in partners:
        holdings[lib["code"]] = await search_holdings(client, lib["sru_url"], isbn)  # bug: ADC501
    lenders = [code for code, items in holdings.items() if items > 0]
    if not lenders:
        raise HTTPException(404, "no partner library holds this ISBN")
    async with conn.transaction():
        request_id = await conn.fetchval(
            "INSERT INTO ill_requests (isbn, reader_id, status) VALUES ($1, $2, 'open') RETURNING id",
            isbn, reader_id,
        )
        await conn.executemany(
            "INSERT INTO ill_lenders (request_id, code, rank) VALUES ($1, $2, $3)",
            [(request_id, code, rank) for rank, code in enumerate(lenders, 1)],
        )
    return {"request": request_id, "lenders": lenders}
