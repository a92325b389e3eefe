"""Litestar API used by the accessioning benches."""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import asyncpg
import httpx
from litestar import Litestar, post
from litestar.datastructures import State
from litestar.exceptions import PermissionDeniedException

from . import labels, lims
from .freezers import FreezerMap

PRINTER = os.environ.get("BENCH_PRINTER", "zebra-bench-2.lab")


@dataclass
class Accession:
    donor_id: str
    kind: str
    volume_ul: int
    collected: str
    rack_id: str


async def on_startup(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["BIOBANK_DSN"])
    app.state.registry = httpx.AsyncClient(base_url=os.environ["CONSENT_URL"], timeout=10)
    app.state.freezers = FreezerMap(app.state.pool)


async def on_shutdown(app: Litestar) -> None:
    await app.state.registry.aclose()
    await app.state.pool.close()


@post("/accessions")
async def accession(data: Accession, state: State) -> dict:
    consent_task = asyncio.create_task(lims.fetch_consent(state.registry, data.donor_id))  # bug: ADC302
    consent = await consent_task
    if not consent.get("storage"):
        raise PermissionDeniedException("donor has not consented to storage")
    barcode = await state.pool.fetchval("SELECT next_barcode()")
    box, pos = await state.freezers.reserve_slot(data.rack_id, barcode)
    sample = {"barcode": barcode, "kind": data.kind, "volume_ul": data.volume_ul, "collected": data.collected}
    labels.print_label(PRINTER, sample)  # bug: ADC101
    return {"barcode": barcode, "box": box, "position": pos}


@post("/accessions/batch")
async def accession_batch(data: list[Accession], state: State) -> list[dict]:
    donor_task = asyncio.create_task(lims.fetch_donor(state.registry, data[0].donor_id))
    consent = await lims.fetch_consent(state.registry, data[0].donor_id)
    donor = await donor_task
    if not consent.get("storage") or donor.get("withdrawn"):
        raise PermissionDeniedException("donor cannot give samples")
    out = []
    async with state.pool.acquire() as conn:
        async with conn.transaction():
            for item in data:
                barcode = await conn.fetchval("SELECT next_barcode()")
                await conn.execute(
                    "INSERT INTO samples (barcode, donor_id, kind, volume_ul) VALUES ($1, $2, $3, $4)",
                    barcode, item.donor_id, item.kind, item.volume_ul,
                )
                out.append({"barcode": barcode, "kind": item.kind, "volume_ul": item.volume_ul, "collected": item.collected})
    # one printer: labels must come out in the order the tubes sit on the bench
    for sample in out:
        await labels.print_label_async(PRINTER, sample)
    return out


app = Litestar(route_handlers=[accession, accession_batch], on_startup=[on_startup], on_shutdown=[on_shutdown])
