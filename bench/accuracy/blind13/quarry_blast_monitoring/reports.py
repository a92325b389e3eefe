"""Per-blast report that the shot-firer signs off on the tablet."""
from __future__ import annotations

from . import seismographs
from .blasts import MONITORS, PPV_LIMIT


async def blast_report(pool, blast_id: int) -> dict:
    blast = await pool.fetchrow(
        "SELECT blast_id, fired_at, face, charge_kg, reference_unit FROM blasts WHERE blast_id = $1",
        blast_id,
    )
    rows = await pool.fetch("SELECT unit, ppv FROM readings WHERE blast_id = $1 ORDER BY unit", blast_id)
    reference = seismographs.pull_event_sync(blast["reference_unit"], blast["fired_at"])  # bug: ADC103
    return {
        "blast": dict(blast),
        "reference": reference,
        "readings": [
            {"where": MONITORS.get(r["unit"], r["unit"]), "ppv": r["ppv"], "over": r["ppv"] > PPV_LIMIT}
            for r in rows
        ],
    }
