"""Reads passings from the mat decoders, which stream one line per chip read."""
from __future__ import annotations

import asyncio
import logging

import aiohttp

from . import results, splits
from .results import Passing

log = logging.getLogger(__name__)
MATS = {"10K": ("10.20.0.11", 3601), "HALF": ("10.20.0.12", 3601), "FINISH": ("10.20.0.13", 3601)}


def parse(line: str) -> Passing | None:
    # "#P;chip=004417;t=7713950;lead=0"
    if not line.startswith("#P;"):
        return None
    fields = dict(part.split("=", 1) for part in line.strip().split(";")[1:])
    return Passing(fields["chip"], fields.get("mat", ""), int(fields["t"]), fields.get("lead") == "1")


async def read_mat(mat: str, race_id: str, db, session: aiohttp.ClientSession) -> None:
    host, port = MATS[mat]
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while raw := await reader.readline():
            passing = parse(raw.decode(errors="replace"))
            if passing is None:
                continue
            passing = passing._replace(mat=mat)
            results.store_passing(db, race_id, passing)  # bug: ADC101
            splits.publish_split(session, race_id, passing)  # bug: ADC201
            if passing.leader:
                await splits.publish_leader(session, race_id, passing)
    finally:
        writer.close()
        await writer.wait_closed()


async def run_mats(race_id: str, db_path: str) -> None:
    db = await asyncio.to_thread(results.open_db, db_path)
    try:
        async with aiohttp.ClientSession(base_url=splits.TRACKING) as session:
            async with asyncio.TaskGroup() as tg:
                for mat in MATS:
                    tg.create_task(read_mat(mat, race_id, db, session))
    finally:
        await asyncio.to_thread(db.close)
