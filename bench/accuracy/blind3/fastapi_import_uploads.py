"""Bulk import endpoint: accepts .csv.gz exports and .tar.gz bundles."""
from __future__ import annotations

import asyncio
import csv
import gzip
import io
import tarfile
import tempfile
from pathlib import Path

from fastapi import APIRouter, File, HTTPException, UploadFile

router = APIRouter(prefix="/imports")

SPOOL_DIR = Path(tempfile.gettempdir()) / "imports"
MAX_INLINE = 5 * 1024 * 1024


def _rows_from_csv_bytes(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _save_upload(upload: UploadFile, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            out.write(chunk)
    return dest


@router.post("/csv")
async def import_csv(file: UploadFile = File(...)) -> dict[str, int]:
    if file.size is not None and file.size <= MAX_INLINE:
        payload = await file.read()
        with gzip.GzipFile(fileobj=io.BytesIO(payload)) as gz:
            rows = _rows_from_csv_bytes(gz.read())
    else:
        spooled = await asyncio.to_thread(_save_upload, file, SPOOL_DIR / file.filename)
        with gzip.open(spooled, "rb") as gz:  # bug: ADC101 @gz
            rows = _rows_from_csv_bytes(gz.read())  # bug: ADC101 @gz
    if not rows:
        raise HTTPException(422, "empty export")
    return {"rows": len(rows)}


@router.post("/bundle")
async def import_bundle(file: UploadFile = File(...)) -> dict[str, list[str]]:
    spooled = await asyncio.to_thread(_save_upload, file, SPOOL_DIR / file.filename)
    target = SPOOL_DIR / spooled.stem.replace(".tar", "")
    with tarfile.open(spooled, "r:gz") as bundle:  # bug: ADC101 @tar
        names = [m.name for m in bundle.getmembers() if m.isfile()]  # bug: ADC101 @tar
        bundle.extractall(target, filter="data")  # bug: ADC101 @tar
    return {"files": names}
