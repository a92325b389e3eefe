"""arq worker: enrich new company records with firmographics and logos."""
import asyncio
import logging
import os
from time import sleep

import httpx
from arq import Retry
from arq.connections import RedisSettings

from enrich_app.db import Database
from enrich_app.search import SearchClient

log = logging.getLogger("enrich")

CLEARBIT = "https://company.clearbit.example/v2/companies/find"
LOGO_CDN = "https://logo.example-cdn.com"


async def startup(ctx):
    ctx["api_key"] = os.environ["CLEARBIT_KEY"]
    ctx["http"] = httpx.AsyncClient(timeout=15, headers={"User-Agent": "enrich-worker/2.3"})
    ctx["db"] = await Database.connect(os.environ["DATABASE_URL"])
    ctx["search"] = SearchClient(os.environ["SEARCH_URL"], http=ctx["http"])


async def shutdown(ctx):
    await ctx["db"].close()
    await ctx["http"].aclose()


async def fetch_firmographics(ctx, domain: str) -> dict:
    resp = await ctx["http"].get(CLEARBIT, params={"domain": domain}, headers={"Authorization": f"Bearer {ctx['api_key']}"})
    if resp.status_code == 429:
        raise Retry(defer=int(resp.headers.get("Retry-After", "30")))
    resp.raise_for_status()
    return resp.json()


async def fetch_logo(domain: str) -> bytes | None:
    async with httpx.AsyncClient(base_url=LOGO_CDN, timeout=10) as client:  # bug: ADC402
        for attempt in range(3):
            resp = await client.get(f"/{domain}", params={"size": 256})
            if resp.status_code == 200:
                return resp.content
            if resp.status_code == 404:
                return None
            sleep(2 ** attempt)  # bug: ADC101
    return None


async def enrich_company(ctx, company_id: int, domain: str) -> None:
    db = ctx["db"]
    data, logo = await asyncio.gather(fetch_firmographics(ctx, domain), fetch_logo(domain))
    await db.update_company(company_id, industry=data.get("category", {}).get("industry"),
                            employees=data.get("metrics", {}).get("employees"), logo=logo)
    await ctx["redis"].enqueue_job("reindex_company", company_id)


async def reindex_company(ctx, company_id: int) -> None:
    company = await ctx["db"].get_company(company_id)
    await asyncio.create_task(ctx["search"].index("companies", company))  # bug: ADC302
    log.info("reindexed %s", company_id)


class WorkerSettings:
    functions = [enrich_company, reindex_company]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings(host="redis")
    max_jobs = 20
