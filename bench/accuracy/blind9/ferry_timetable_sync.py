"""Nightly cron: copies the ferry operator's sailings into the journey planner DB."""
from __future__ import annotations

import asyncio
import logging
import sys
import tomllib
from datetime import date, timedelta

import httpx
import requests
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from planner.models import Sailing, SyncRun

log = logging.getLogger("ferrysync")


def load_config(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def fetch_token(cfg: dict) -> str:
    """OAuth client-credentials grant; runs once, before the event loop starts."""
    resp = requests.post(
        cfg["auth_url"],
        data={"grant_type": "client_credentials", "scope": "timetable.read"},
        auth=(cfg["client_id"], cfg["client_secret"]),
        timeout=20,
    )
    resp.raise_for_status()
    return resp.json()["access_token"]


async def get_with_retry(client: httpx.AsyncClient, url: str, params: dict) -> dict:
    for attempt in range(5):
        try:
            resp = await client.get(url, params=params)
            if resp.status_code < 500:
                resp.raise_for_status()
                return resp.json()
        except httpx.TransportError:
            log.warning("transport error on %s", url)
        await asyncio.sleep(min(2 ** attempt, 30))
    raise RuntimeError(f"giving up on {url}")


async def sailings_for(client: httpx.AsyncClient, route: str, day: date, limit: asyncio.Semaphore) -> list[dict]:
    out, page = [], 1
    async with limit:
        while True:
            params = {"date": day.isoformat(), "page": page}
            data = await get_with_retry(client, f"/routes/{route}/sailings", params)
            out += data["items"]
            if page >= data["pages"]:
                return out
            page += 1


async def replace_day(session: AsyncSession, route: str, day: date, sailings: list[dict]) -> None:
    # delete-then-insert on one session, inside the caller's transaction
    await session.execute(delete(Sailing).where(Sailing.route == route, Sailing.day == day))
    if sailings:
        await session.execute(
            insert(Sailing),
            [{"route": route, "day": day, "departs": s["dep"], "arrives": s["arr"], "vessel": s["vessel"]}
             for s in sailings],
        )


async def run(cfg: dict, token: str) -> None:
    engine = create_async_engine(cfg["database_url"])
    Session = async_sessionmaker(engine)
    headers = {"Authorization": f"Bearer {token}"}
    days = [date.today() + timedelta(days=n) for n in range(cfg.get("days_ahead", 14))]
    try:
        async with httpx.AsyncClient(base_url=cfg["api_url"], headers=headers, timeout=30) as client:
            fetched = {}
            limit = asyncio.Semaphore(cfg.get("concurrency", 6))
            async with asyncio.TaskGroup() as tg:
                for route in cfg["routes"]:
                    fetched[route] = [tg.create_task(sailings_for(client, route, d, limit)) for d in days]
        async with Session() as session, session.begin():
            for route, tasks in fetched.items():
                for day, task in zip(days, tasks):
                    await replace_day(session, route, day, task.result())
            session.add(SyncRun(routes=len(fetched), days=len(days)))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    config = load_config(sys.argv[1] if len(sys.argv) > 1 else "/etc/ferrysync.toml")
    asyncio.run(run(config, fetch_token(config)))
