"""Plant labels and accession lookups for Wyndham Botanic Garden.

The async part serves the curators' handhelds: scanning a label's barcode
shows the accession, and reprinting sends ZPL to the label printer in the
potting shed. `python botanic_garden_labels.py import FILE` is the nightly
sync command, which runs on its own and can block as much as it likes.
"""
import asyncio
import concurrent.futures
import csv
import logging
import sqlite3
import sys
import threading

import aiosqlite
import requests
from aiohttp import web

log = logging.getLogger("wyndham")
DB_PATH = "/srv/wyndham/accessions.sqlite3"
PRINTER = ("10.70.0.15", 9100)
GBIF_MATCH = "https://api.gbif.org/v1/species/match"


def zpl_label(row) -> str:
    return (
        "^XA^CF0,40^FO30,30^FD" + row["taxon"] + "^FS"
        "^CF0,28^FO30,85^FD" + row["family"] + "  " + row["origin"] + "^FS"
        "^FO30,130^BY2^BCN,60,Y,N,N^FD" + row["accession"] + "^FS^XZ"
    )


async def print_zpl(zpl: str) -> None:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(*PRINTER), timeout=5)
    try:
        writer.write(zpl.encode())
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def lookup(request: web.Request) -> web.Response:
    db: aiosqlite.Connection = request.app["db"]
    async with db.execute("SELECT * FROM accessions WHERE accession = ?", (request.match_info["acc"],)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise web.HTTPNotFound()
    return web.json_response(dict(row))


async def reprint(request: web.Request) -> web.Response:
    db: aiosqlite.Connection = request.app["db"]
    async with db.execute("SELECT * FROM accessions WHERE accession = ?", (request.match_info["acc"],)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise web.HTTPNotFound()
    await print_zpl(zpl_label(row))
    return web.json_response({"printed": row["accession"]})


def start_bench_scanner(loop: asyncio.AbstractEventLoop, db: aiosqlite.Connection, device: str) -> threading.Thread:
    """The USB scanner on the potting bench types accession numbers; each one is reprinted."""

    def done(fut: concurrent.futures.Future) -> None:
        if fut.exception() is not None:
            log.error("bench reprint failed: %s", fut.exception())

    async def reprint_accession(acc: str) -> None:
        async with db.execute("SELECT * FROM accessions WHERE accession = ?", (acc,)) as cur:
            row = await cur.fetchone()
        if row is not None:
            await print_zpl(zpl_label(row))

    def read_scanner() -> None:
        with open(device, encoding="ascii", errors="ignore") as tty:
            for line in tty:
                if line.strip():
                    asyncio.run_coroutine_threadsafe(reprint_accession(line.strip()), loop).add_done_callback(done)

    thread = threading.Thread(target=read_scanner, name="bench-scanner", daemon=True)
    thread.start()
    return thread


async def lifecycle(app: web.Application):
    async with aiosqlite.connect(DB_PATH) as db:
        db.row_factory = aiosqlite.Row
        app["db"] = db
        app["scanner"] = start_bench_scanner(asyncio.get_running_loop(), db, "/dev/ttyACM0")
        yield


def import_accessions(path: str) -> int:
    """Nightly import from the curators' spreadsheet export; names checked against GBIF."""
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    session = requests.Session()
    count = 0
    with open(path, newline="", encoding="utf-8") as f, conn:
        for rec in csv.DictReader(f):
            match = session.get(GBIF_MATCH, params={"name": rec["taxon"]}, timeout=20).json()
            family = match.get("family", rec.get("family", ""))
            conn.execute(
                "INSERT OR REPLACE INTO accessions (accession, taxon, family, origin) VALUES (?, ?, ?, ?)",
                (rec["accession"], rec["taxon"], family, rec["origin"]),
            )
            count += 1
    conn.close()
    return count


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    if sys.argv[1:2] == ["import"]:
        print(f"{import_accessions(sys.argv[2])} accessions imported")
    else:
        app = web.Application()
        app.cleanup_ctx.append(lifecycle)
        app.add_routes([web.get("/acc/{acc}", lookup), web.post("/acc/{acc}/print", reprint)])
        web.run_app(app, port=8099)
