"""Newspaper microfilm digitisation: publish scanned reels to the IIIF server, archive masters.

Celery tasks; the worker runs with --pool=threads so several reels are processed at once.
"""
import asyncio
import logging
import os
import threading
from pathlib import Path

import httpx
from azure.storage.blob import BlobServiceClient
from celery import shared_task

log = logging.getLogger("microfilm")

SCANS = Path("/data/microfilm/scans")
IIIF_INGEST = "https://iiif.library.example/ingest/v1"
PAGE_UPLOADS = 6

_manifest_lock = threading.Lock()
_manifests: dict[str, dict] = {}


def reel_progress() -> dict[str, int]:
    """Read by the worker's health endpoint thread."""
    with _manifest_lock:
        return {reel: len(m["canvases"]) for reel, m in _manifests.items()}


def _pages(reel: str) -> list[Path]:
    return sorted((SCANS / reel).glob("*.jp2"))


async def upload_page(client: httpx.AsyncClient, slots: asyncio.Semaphore, reel: str, page: Path) -> None:
    async with slots:
        data = await asyncio.to_thread(page.read_bytes)
        with _manifest_lock:  # bug: ADC102
            resp = await client.put(
                f"/reels/{reel}/pages/{page.stem}", content=data, headers={"Content-Type": "image/jp2"}
            )
            resp.raise_for_status()
            _manifests[reel]["canvases"].append({"page": page.stem, "image": resp.json()["id"]})


async def push_reel(reel: str, title: str) -> str:
    pages = await asyncio.to_thread(_pages, reel)
    with _manifest_lock:
        _manifests[reel] = {"reel": reel, "title": title, "canvases": []}
    slots = asyncio.Semaphore(PAGE_UPLOADS)
    async with httpx.AsyncClient(base_url=IIIF_INGEST, timeout=120) as client:
        await asyncio.gather(*(upload_page(client, slots, reel, p) for p in pages))
        with _manifest_lock:
            manifest = _manifests.pop(reel)
        manifest["canvases"].sort(key=lambda c: c["page"])
        resp = await client.post(f"/reels/{reel}/manifest", json=manifest)
        resp.raise_for_status()
        return resp.json()["manifest_url"]


@shared_task(bind=True, max_retries=3, acks_late=True)
def publish_reels(self, reels: dict[str, str]) -> dict[str, str]:
    """reels: reel id -> newspaper title and date range, e.g. "Northern Echo 1921-01..06"."""
    published = {}
    try:
        for reel, title in reels.items():
            published[reel] = asyncio.run(push_reel(reel, title))  # bug: ADC505
    except httpx.HTTPError as exc:
        log.warning("IIIF ingest failed after %d reels: %s", len(published), exc)
        raise self.retry(exc=exc, countdown=300)
    return published


@shared_task(acks_late=True)
def archive_masters(reel: str) -> int:
    """Preservation TIFFs to cool blob storage; runs on the archive queue."""
    service = BlobServiceClient.from_connection_string(os.environ["ARCHIVE_BLOB_CONN"])
    container = service.get_container_client("microfilm-masters")
    count = 0
    for tif in sorted((SCANS / reel / "masters").glob("*.tif")):
        with tif.open("rb") as fh:
            container.upload_blob(f"{reel}/{tif.name}", fh, overwrite=True, standard_blob_tier="Cool")
        count += 1
    log.info("archived %d masters for %s", count, reel)
    return count
