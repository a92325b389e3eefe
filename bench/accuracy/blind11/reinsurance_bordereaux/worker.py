import asyncio
import logging
from pathlib import Path

import httpx
from arq.connections import RedisSettings
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from . import delivery, ledger, workbook

log = logging.getLogger("bdx.worker")
OUT_DIR = Path("/srv/bdx/out")


async def startup(ctx):
    ctx["engine"] = create_async_engine("postgresql+asyncpg://bdx@ledger-db/ledger")
    ctx["sessions"] = async_sessionmaker(ctx["engine"], expire_on_commit=False)
    ctx["portal"] = httpx.AsyncClient(base_url="https://portal.re-exchange.example/api", timeout=120)


async def shutdown(ctx):
    await ctx["portal"].aclose()
    await ctx["engine"].dispose()


async def send_premium_bordereau(ctx, treaty_id: int, period: str) -> str:
    async with ctx["sessions"]() as session:
        treaty = await ledger.treaty(session, treaty_id)
        rows = await ledger.premium_rows(session, treaty_id, period)
        path = workbook.build_bordereau(treaty, period, rows, OUT_DIR)  # bug: ADC101
        try:
            ref = await delivery.upload(ctx["portal"], treaty, path)
        except httpx.HTTPError as exc:
            await ledger.mark_failed(session, treaty_id, period, str(exc))
            await session.commit()
            raise
        ledger.mark_delivered(session, treaty_id, period, ref)  # bug: ADC201
        await session.commit()
        return ref


async def send_claims_bordereau(ctx, treaty_id: int, claims: list[dict]) -> str:
    async with ctx["sessions"]() as session:
        treaty = await ledger.treaty(session, treaty_id)
    path = await asyncio.to_thread(workbook.build_claims_bordereau, treaty, claims, OUT_DIR)
    ref = await delivery.upload(ctx["portal"], treaty, path)
    if not await delivery.await_acceptance(ctx["portal"], ref):
        log.error("claims bordereau %s rejected by %s", ref, treaty.reinsurer)
    return ref


class WorkerSettings:
    functions = [send_premium_bordereau, send_claims_bordereau]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings(host="redis-bdx")
    max_jobs = 8
    job_timeout = 3600
