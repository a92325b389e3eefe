"""Fill in missing book metadata in the library catalogue from Open Library.

Nightly job: `python isbn_metadata_enricher.py`. A second mode, `covers`,
downloads cover thumbnails for books that have metadata but no cover yet.
"""
import asyncio
import logging
import os
import sys

import aiohttp
import asyncpg

log = logging.getLogger("isbn-enrich")

DSN = os.environ.get("CATALOGUE_DSN", "postgresql://catalogue@db/catalogue")
OPENLIBRARY = "https://openlibrary.org/api/books"
COVERS = "https://covers.openlibrary.org/b/isbn/{isbn}-M.jpg"


async def fetch_openlibrary(isbn: str) -> dict | None:
    async with aiohttp.ClientSession() as session:  # bug: ADC402
        params = {"bibkeys": f"ISBN:{isbn}", "format": "json", "jscmd": "data"}
        async with session.get(OPENLIBRARY, params=params) as resp:
            if resp.status != 200:
                return None
            data = await resp.json()
    return data.get(f"ISBN:{isbn}")


async def enrich(pool: asyncpg.Pool, row: asyncpg.Record) -> bool:
    meta = await fetch_openlibrary(row["isbn"])
    if not meta:
        return False
    await pool.execute(
        "UPDATE books SET title = $2, authors = $3, publisher = $4, pages = $5, enriched_at = now() WHERE id = $1",
        row["id"], meta.get("title"), [a["name"] for a in meta.get("authors", [])],
        (meta.get("publishers") or [{}])[0].get("name"), meta.get("number_of_pages"),
    )
    return True


async def enrich_all(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch("SELECT id, isbn FROM books WHERE enriched_at IS NULL AND isbn IS NOT NULL")
    results = await asyncio.gather(*(enrich(pool, r) for r in rows))  # bug: ADC502
    log.info("enriched %d of %d books", sum(results), len(rows))


async def fetch_cover(session: aiohttp.ClientSession, sem: asyncio.Semaphore, isbn: str) -> bytes | None:
    async with sem:
        async with session.get(COVERS.format(isbn=isbn), params={"default": "false"}) as resp:
            return await resp.read() if resp.status == 200 else None


async def covers(pool: asyncpg.Pool) -> None:
    sem = asyncio.Semaphore(6)
    async with aiohttp.ClientSession() as session, pool.acquire() as conn:
        async with conn.transaction():
            cursor = await conn.cursor("SELECT id, isbn FROM books WHERE cover IS NULL AND enriched_at IS NOT NULL")
            while page := await cursor.fetch(200):
                images = await asyncio.gather(*(fetch_cover(session, sem, r["isbn"]) for r in page))
                await pool.executemany(
                    "UPDATE books SET cover = $2 WHERE id = $1",
                    [(r["id"], img) for r, img in zip(page, images) if img],
                )


async def main(mode: str) -> None:
    pool = await asyncpg.create_pool(DSN, max_size=10)
    try:
        await (covers(pool) if mode == "covers" else enrich_all(pool))
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "enrich"))
