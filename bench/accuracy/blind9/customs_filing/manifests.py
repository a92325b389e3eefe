"""Manifest parsing and the synchronous helpers used by the CLI."""
from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass
from pathlib import Path

from . import tariff


@dataclass
class LineItem:
    sku: str
    description: str
    hts: str | None
    origin: str
    value_usd: float


@dataclass
class Manifest:
    bill_of_lading: str
    importer_id: str
    items: list[LineItem]


def load(path: Path) -> Manifest:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    head = rows[0]
    items = [
        LineItem(r["sku"], r["description"], r.get("hts") or None, r["origin"], float(r["value_usd"]))
        for r in rows
    ]
    return Manifest(head["bol"], head["importer"], items)


def hts_code_sync(description: str) -> str:
    """Classify one description; used by `customs classify` at the shell."""

    async def _one() -> str:
        async with tariff.make_client() as client:
            return await tariff.classify(client, description)

    return asyncio.run(_one())
