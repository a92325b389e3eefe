"""Redaction service for a law firm's discovery productions (FastAPI).

A paralegal uploads a PDF for a matter; names, account numbers and addresses
found by spaCy are blacked out with PyMuPDF and the result goes to the DMS.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from contextlib import asynccontextmanager

import fitz  # PyMuPDF
import httpx
import spacy
from fastapi import FastAPI, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

log = logging.getLogger("redact")
NLP = spacy.load("en_core_web_lg")
SENSITIVE = {"PERSON", "GPE", "LOC", "ORG"}
ACCOUNT = re.compile(r"\b\d{2,4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{0,4}\b")


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(base_url=os.environ["DMS_URL"], timeout=60,
                                 headers={"Authorization": f"Bearer {os.environ['DMS_TOKEN']}"}) as dms:
        app.state.dms = dms
        yield


app = FastAPI(lifespan=lifespan)


def _extract_text(data: bytes) -> str:
    with fitz.open(stream=data, filetype="pdf") as doc:
        return "\n".join(page.get_text() for page in doc)


def _find_spans(text: str) -> list[str]:
    names = {ent.text for ent in NLP(text).ents if ent.label_ in SENSITIVE}
    return sorted(names | set(ACCOUNT.findall(text)), key=len, reverse=True)


def _redact_pdf(data: bytes, spans: list[str]) -> bytes:
    with fitz.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            for span in spans:
                for rect in page.search_for(span):
                    page.add_redact_annot(rect, fill=(0, 0, 0))
            page.apply_redactions(images=fitz.PDF_REDACT_IMAGE_PIXELS)
        return doc.tobytes(garbage=4, deflate=True)


@app.post("/matters/{matter_id}/redact")
async def redact(matter_id: str, file: UploadFile, request: Request):
    data = await file.read()
    text = await run_in_threadpool(_extract_text, data)
    spans = await run_in_threadpool(_find_spans, text)
    redacted = _redact_pdf(data, spans)  # bug: ADC101
    try:
        await request.app.state.dms.put(f"/matters/{matter_id}/productions/{file.filename}", content=redacted)
    except BaseException:  # bug: ADC601
        log.exception("DMS upload failed for matter %s", matter_id)
        return JSONResponse({"status": "upload failed", "spans": len(spans)}, status_code=502)
    return Response(redacted, media_type="application/pdf")


@app.post("/matters/{matter_id}/privilege-log")
async def privilege_log(matter_id: str, file: UploadFile, request: Request):
    data = await file.read()
    text = await asyncio.to_thread(_extract_text, data)
    try:
        resp = await request.app.state.dms.post(f"/matters/{matter_id}/privilege-log",
                                                json={"document": file.filename, "chars": len(text)})
        resp.raise_for_status()
    except asyncio.CancelledError:
        log.info("privilege log for %s cancelled by the client", matter_id)
        raise
    except httpx.HTTPError as exc:
        return JSONResponse({"error": str(exc)}, status_code=502)
    return resp.json()
