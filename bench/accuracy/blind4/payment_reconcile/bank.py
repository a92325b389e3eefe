"""Bank side: statement download over the bank's SFTP-fronted HTTPS API."""
from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import httpx

BANK_API = "https://api.bank.example/v1"


@dataclass(frozen=True)
class Line:
    ref: str
    amount: Decimal
    booked: str


def parse_statement(raw: str) -> list[Line]:
    return [Line(r["ref"], Decimal(r["amount"]), r["booked"]) for r in csv.DictReader(io.StringIO(raw))]


async def download(client: httpx.AsyncClient, account: str, day: str) -> list[Line]:
    r = await client.get(f"/accounts/{account}/statements/{day}.csv")
    r.raise_for_status()
    return parse_statement(r.text)


async def statements_for(client: httpx.AsyncClient, accounts: list[str], day: str) -> list[Line]:
    lines: list[Line] = []
    for account in accounts:
        lines += await download(client, account, day)  # bug: ADC501
    return lines


def fetch_fx_sync(day: str) -> dict[str, Decimal]:
    """Used by the month-end spreadsheet export, a plain script."""

    async def _get():
        async with httpx.AsyncClient(base_url=BANK_API) as c:
            r = await c.get("/fx", params={"day": day})
            return {k: Decimal(v) for k, v in r.json().items()}

    return asyncio.run(_get())
