"""Nightly docket watcher for a litigation team.

Reads the list of tracked federal cases from a SQLite file, pulls each
docket from the CourtListener REST API, stores new entries and downloads the
new filings' PDFs. Run from cron: `python court_docket_scraper.py tracked.db`.
"""
from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import aiofiles
import aiohttp
import aiosqlite

API = "https://www.courtlistener.com/api/rest/v4"
TOKEN = Path("~/.courtlistener-token").expanduser().read_text().strip()
PDF_DIR = Path("/srv/dockets/pdf")
PDF_CONCURRENCY = 4


async def docket_entries(session: aiohttp.ClientSession, docket_id: int, since: str) -> list[dict]:
    entries, url = [], f"{API}/docket-entries/?docket={docket_id}&date_filed__gt={since}&order_by=date_filed"
    while url:
        async with session.get(url) as resp:
            resp.raise_for_status()
            page = await resp.json()
        entries.extend(page["results"])
        url = page["next"]
    return entries


async def fetch_case(session: aiohttp.ClientSession, docket_id: int, since: str) -> tuple[dict, list[dict]]:
    async with session.get(f"{API}/dockets/{docket_id}/") as resp:
        resp.raise_for_status()
        docket = await resp.json()
    if (docket.get("date_last_filing") or "") <= since:
        return docket, []
    return docket, await docket_entries(session, docket_id, since)


async def download_pdf(session: aiohttp.ClientSession, sem: asyncio.Semaphore, doc: dict) -> None:
    async with sem:
        async with session.get(doc["filepath_ia"] or doc["download_url"]) as resp:
            resp.raise_for_status()
            async with aiofiles.open(PDF_DIR / f"{doc['id']}.pdf", "wb") as out:
                async for chunk in resp.content.iter_chunked(1 << 16):
                    await out.write(chunk)


async def run(db_path: str, tracked: list[tuple[int, str]]) -> int:
    session = aiohttp.ClientSession(headers={"Authorization": f"Token {TOKEN}"},  # bug: ADC401
                                    timeout=aiohttp.ClientTimeout(total=120))
    cases = [await fetch_case(session, docket_id, since) for docket_id, since in tracked]  # bug: ADC501
    docs = [d for _, entries in cases for e in entries for d in e["recap_documents"] if d.get("is_available")]
    sem = asyncio.Semaphore(PDF_CONCURRENCY)
    await asyncio.gather(*(download_pdf(session, sem, d) for d in docs))
    async with aiosqlite.connect(db_path) as db:
        for (docket_id, _), (docket, entries) in zip(tracked, cases):
            await db.executemany(
                "INSERT OR IGNORE INTO entries (docket_id, entry_number, filed, description) VALUES (?, ?, ?, ?)",
                [(docket_id, e["entry_number"], e["date_filed"], e["description"]) for e in entries])
            await db.execute("UPDATE tracked SET case_name = ?, last_seen = date('now') WHERE docket_id = ?",
                             (docket["case_name"], docket_id))
        await db.commit()
    return sum(len(entries) for _, entries in cases)


if __name__ == "__main__":
    with sqlite3.connect(sys.argv[1]) as conn:
        rows = conn.execute("SELECT docket_id, coalesce(last_seen, '2000-01-01') FROM tracked").fetchall()
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    print(f"{asyncio.run(run(sys.argv[1], rows))} new docket entries")
