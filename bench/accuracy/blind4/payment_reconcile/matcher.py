from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import httpx
import stripe

from .bank import BANK_API, Line, fetch_fx_sync, statements_for

log = logging.getLogger(__name__)


def _payouts_sync(day: str) -> dict[str, Decimal]:
    payouts = stripe.Payout.list(arrival_date={"gte": day}, limit=100)
    return {p.id: Decimal(p.amount) / 100 for p in payouts.auto_paging_iter()}


async def stripe_payouts(day: str) -> dict[str, Decimal]:
    return await asyncio.to_thread(_payouts_sync, day)


async def reconcile_day(bank: httpx.AsyncClient, day: str, accounts: list[str]) -> dict:
    lines, payouts = await asyncio.gather(statements_for(bank, accounts, day), stripe_payouts(day))
    fx = fetch_fx_sync(day)  # bug: ADC103
    matched, unmatched = [], []
    for line in lines:
        amount = line.amount * fx.get("EUR", Decimal(1))
        if any(abs(amount - v) < Decimal("0.01") for v in payouts.values()):
            matched.append(line.ref)
        else:
            unmatched.append(line.ref)
    return {"day": day, "matched": matched, "unmatched": unmatched}


async def reconcile_range(days: list[str], accounts: list[str]) -> list[dict]:
    sem = asyncio.Semaphore(3)
    results: list[dict] = []

    async with httpx.AsyncClient(base_url=BANK_API, timeout=30) as bank:

        async def one(day: str) -> None:
            async with sem:
                results.append(await reconcile_day(bank, day, accounts))

        try:
            async with asyncio.TaskGroup() as tg:
                for d in days:
                    tg.create_task(one(d))
        except asyncio.CancelledError:  # bug: ADC601
            log.warning("reconciliation interrupted after %d days", len(results))
    return results


def unmatched_lines(report: dict, lines: list[Line]) -> list[Line]:
    refs = set(report["unmatched"])
    return [ln for ln in lines if ln.ref in refs]
