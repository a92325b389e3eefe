"""Delivers the day's crosswords to the newspapers that syndicate them.

    crossword_syndication.py 2026-03-14 [--yes]

Puzzles are read and checked before anything is sent. Each partner gets a
PDF (rendered in worker processes) either by HTTPS upload or by SFTP drop,
with a few retries; a delivery report is written at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import asyncssh
import httpx

PUZZLES = Path("/srv/syndicate/puzzles")
PARTNERS_FILE = Path("/srv/syndicate/partners.json")
REPORTS = Path("/srv/syndicate/reports")
MAX_PARALLEL = 6


def load_puzzles(day: date) -> dict[str, dict]:
    puzzles = {}
    for path in sorted((PUZZLES / day.isoformat()).glob("*.json")):
        puzzle = json.loads(path.read_text())
        size = len(puzzle["grid"])
        if any(len(row) != size for row in puzzle["grid"]):
            raise SystemExit(f"{path.name}: grid is not square")
        puzzles[path.stem] = puzzle
    return puzzles


def render_pdf(puzzle: dict, house_style: str) -> bytes:
    from crossword_render import render  # heavy import, only in the workers

    return render(puzzle, style=house_style)


def write_report(day: date, results: list[tuple[str, str]]) -> Path:
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{day.isoformat()}.txt"
    path.write_text("\n".join(f"{name}\t{outcome}" for name, outcome in results) + "\n")
    return path


async def upload_https(client: httpx.AsyncClient, partner: dict, filename: str, pdf: bytes) -> None:
    resp = await client.put(f"{partner['url']}/{filename}", content=pdf, headers={"Authorization": partner["token"]})
    resp.raise_for_status()


async def upload_sftp(partner: dict, filename: str, pdf: bytes) -> None:
    async with asyncssh.connect(partner["host"], username=partner["user"], client_keys=[partner["key"]]) as conn:
        async with conn.start_sftp_client() as sftp:
            async with sftp.open(f"{partner['dir']}/{filename}", "wb") as f:
                await f.write(pdf)


async def deliver(partner: dict, puzzles: dict, day: date, client: httpx.AsyncClient,
                  procs: ProcessPoolExecutor, slots: asyncio.Semaphore) -> tuple[str, str]:
    loop = asyncio.get_running_loop()
    async with slots:
        # One file at a time per partner: several of their servers refuse parallel uploads.
        for name in partner["puzzles"]:
            pdf = await loop.run_in_executor(procs, render_pdf, puzzles[name], partner["style"])
            filename = f"{day:%Y%m%d}-{name}.pdf"
            for attempt in range(1, 4):
                try:
                    if partner["method"] == "sftp":
                        await upload_sftp(partner, filename, pdf)
                    else:
                        await upload_https(client, partner, filename, pdf)
                    break
                except (httpx.HTTPError, asyncssh.Error, OSError) as exc:
                    if attempt == 3:
                        return partner["name"], f"FAILED {name}: {exc}"
                    await asyncio.sleep(10 * attempt)
    return partner["name"], "ok"


async def publish(day: date, puzzles: dict, partners: list[dict], procs: ProcessPoolExecutor) -> list[tuple[str, str]]:
    slots = asyncio.Semaphore(MAX_PARALLEL)
    async with httpx.AsyncClient(timeout=60) as client:
        return await asyncio.gather(*(deliver(p, puzzles, day, client, procs, slots) for p in partners))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("day", type=date.fromisoformat)
    parser.add_argument("--yes", action="store_true")
    args = parser.parse_args(argv)
    puzzles = load_puzzles(args.day)
    partners = [p for p in json.loads(PARTNERS_FILE.read_text()) if p["active"]]
    print(f"{len(puzzles)} puzzles for {args.day}, {len(partners)} partners")
    if not args.yes and input("Send? [y/N] ").strip().lower() != "y":
        return 1
    with ProcessPoolExecutor(max_workers=3) as procs:
        results = asyncio.run(publish(args.day, puzzles, partners, procs))
    report = write_report(args.day, results)
    failed = [name for name, outcome in results if outcome != "ok"]
    print(f"report: {report}; failed: {', '.join(failed) or 'none'}")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
