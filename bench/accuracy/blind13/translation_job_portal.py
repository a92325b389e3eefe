"""Job portal of Wordhaven, a translation agency with 2,000 freelancers.

Clients upload documents; each document is split into segments and
pre-translated by DeepL so that the human translator starts from a draft.
Translators claim jobs from the board. When the terminology team publishes
a new client glossary, every translator working in that language pair is told.
"""
from __future__ import annotations

import asyncio
import os
import re
from contextlib import asynccontextmanager

import asyncpg
import deepl
import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel

router = APIRouter()
MAIL_API = "https://api.mailer.example/v3/send"
SENTENCE = re.compile(r"(?<=[.!?])\s+")


class Document(BaseModel):
    client_id: int
    source_lang: str
    target_lang: str
    text: str


class Portal:
    def __init__(self, pool: asyncpg.Pool, http: httpx.AsyncClient, translator: deepl.Translator) -> None:
        self.pool = pool
        self.http = http
        self.translator = translator

    async def pretranslate(self, doc: Document, glossary_id: str | None) -> list[tuple[str, str]]:
        segments = [s for s in SENTENCE.split(doc.text) if s.strip()]
        results = self.translator.translate_text(  # bug: ADC101
            segments, source_lang=doc.source_lang, target_lang=doc.target_lang, glossary=glossary_id
        )
        return [(src, res.text) for src, res in zip(segments, results)]

    async def notify(self, translator: asyncpg.Record, subject: str, body: str) -> None:
        resp = await self.http.post(MAIL_API, json={"to": translator["email"], "subject": subject, "text": body})
        resp.raise_for_status()


@router.post("/documents")
async def upload(doc: Document, request: Request):
    portal: Portal = request.app.state.portal
    glossary = await portal.pool.fetchval(
        "SELECT deepl_glossary FROM glossaries WHERE client_id = $1 AND source = $2 AND target = $3",
        doc.client_id, doc.source_lang, doc.target_lang,
    )
    pairs = await portal.pretranslate(doc, glossary)
    async with portal.pool.acquire() as conn, conn.transaction():
        job_id = await conn.fetchval(
            "INSERT INTO jobs (client_id, source, target, words) VALUES ($1, $2, $3, $4) RETURNING id",
            doc.client_id, doc.source_lang, doc.target_lang, len(doc.text.split()),
        )
        await conn.executemany(
            "INSERT INTO segments (job_id, n, source, draft) VALUES ($1, $2, $3, $4)",
            [(job_id, n, src, draft) for n, (src, draft) in enumerate(pairs)],
        )
    return {"job": job_id, "segments": len(pairs)}


@router.post("/jobs/{job_id}/claim")
async def claim(job_id: int, request: Request):
    translator_id = int(request.headers["X-Translator-Id"])
    conn = await request.app.state.portal.pool.acquire()  # bug: ADC401
    claimed = await conn.fetchval(
        "UPDATE jobs SET translator_id = $2, claimed_at = now() WHERE id = $1 AND translator_id IS NULL RETURNING id",
        job_id, translator_id,
    )
    if claimed is None:
        raise HTTPException(409, "someone else took this job")
    return {"claimed": job_id}


@router.get("/usage")
async def usage(request: Request):
    usage = await asyncio.to_thread(request.app.state.portal.translator.get_usage)
    return {"characters": usage.character.count, "limit": usage.character.limit}


@router.post("/glossaries/{glossary_id}/publish")
async def publish_glossary(glossary_id: int, request: Request):
    portal: Portal = request.app.state.portal
    g = await portal.pool.fetchrow("SELECT client_name, source, target FROM glossaries WHERE id = $1", glossary_id)
    if g is None:
        raise HTTPException(404)
    translators = await portal.pool.fetch(
        "SELECT email FROM translators WHERE $1 = ANY(sources) AND $2 = ANY(targets) AND active", g["source"], g["target"]
    )
    subject = f"New {g['source']}>{g['target']} glossary for {g['client_name']}"
    body = "Please use the updated terminology from today. It is in the portal under Resources."
    await asyncio.gather(*(portal.notify(t, subject, body) for t in translators))  # bug: ADC502
    return {"told": len(translators)}


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = await asyncpg.create_pool(os.environ["WORDHAVEN_DSN"], max_size=10)
    translator = deepl.Translator(os.environ["DEEPL_KEY"])
    async with httpx.AsyncClient(timeout=10, headers={"Authorization": f"Bearer {os.environ['MAIL_KEY']}"}) as http:
        app.state.portal = Portal(pool, http, translator)
        try:
            yield
        finally:
            await pool.close()


app = FastAPI(lifespan=lifespan)
app.include_router(router)
