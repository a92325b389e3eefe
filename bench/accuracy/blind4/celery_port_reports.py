"""Report jobs, half-way through the move from Celery to asyncio.

The old Celery entry points still exist and call into the new async code.
"""
import asyncio
import logging
import time

import httpx
from celery import shared_task
from reports.render import render_pdf  # sync, CPU bound
from reports.store import ReportStore

log = logging.getLogger(__name__)
store = ReportStore()


async def build_report(report_id: int, client: httpx.AsyncClient, carried: dict) -> dict:
    """Reports are cumulative: each one starts from the previous report's closing totals."""
    rows = await store.fetch_rows(report_id)
    pdf, totals = await asyncio.to_thread(render_pdf, rows, carried)
    await client.post(f"/reports/{report_id}/ready", json={"size": len(pdf)})
    return totals


async def notify_owner(report_id: int, client: httpx.AsyncClient) -> None:
    await client.post("/notify", json={"report": report_id})


async def run_batch(report_ids: list[int]) -> None:
    async with httpx.AsyncClient(base_url="https://api.internal") as client:
        for attempt in range(3):
            try:
                totals: dict = {}
                for rid in sorted(report_ids):
                    totals = await build_report(rid, client, totals)
                    notify_owner(rid, client)  # bug: ADC201
                return
            except httpx.TransportError:
                log.warning("transport error, attempt %d", attempt)
                time.sleep(2 ** attempt)  # bug: ADC101


@shared_task(name="reports.nightly")
def nightly_reports(report_ids):
    for rid in report_ids:
        asyncio.run(run_batch([rid]))  # bug: ADC505


@shared_task(name="reports.single")
def single_report(report_id):
    asyncio.run(run_batch([report_id]))
