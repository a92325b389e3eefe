"""One-shot CLI: OCR scanned parish registers and push the text to the genealogy index."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import pytesseract
from PIL import Image, ImageOps

log = logging.getLogger("parishocr")
INDEX_API = "https://index.family-history.example/api/v2"


def ocr_page(path: str) -> tuple[str, str]:
    with Image.open(path) as img:
        gray = ImageOps.autocontrast(ImageOps.grayscale(img))
        text = pytesseract.image_to_string(gray, lang="eng+lat", config="--psm 4")
    return path, text


def collect_pages(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*.tif"))


async def push(client: httpx.AsyncClient, volume: str, path: str, text: str, limit: asyncio.Semaphore) -> int:
    async with limit:
        resp = await client.post(f"/volumes/{volume}/pages", json={"file": Path(path).name, "text": text})
        resp.raise_for_status()
        return resp.status_code


async def run(volume: str, pages: list[str], token: str, workers: int) -> None:
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        texts = await asyncio.gather(*(loop.run_in_executor(pool, ocr_page, p) for p in pages))
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=INDEX_API, headers={"Authorization": f"Token {token}"}, timeout=60) as client:
        # the volume record must exist before its pages can be attached
        created = await client.put(f"/volumes/{volume}", json={"pages": len(pages)})
        created.raise_for_status()
        codes = await asyncio.gather(*(push(client, volume, p, t, limit) for p, t in texts))
        await client.post(f"/volumes/{volume}/publish")
    log.info("pushed %d pages (%d created)", len(codes), sum(1 for c in codes if c == 201))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("volume")
    ap.add_argument("scans", type=Path)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO)
    pages = collect_pages(args.scans)
    if not pages:
        raise SystemExit("no .tif scans found")
    answer = input(f"OCR {len(pages)} pages into volume {args.volume}? [y/N] ")
    if answer.strip().lower() != "y":
        return
    token = getpass.getpass("Index API token: ")
    asyncio.run(run(args.volume, pages, token, args.workers))


if __name__ == "__main__":
    main()
