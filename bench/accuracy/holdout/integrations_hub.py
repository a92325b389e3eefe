"""Owns the long-lived clients of the integrations worker."""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import aiohttp
import asyncpg
import httpx


def make_crm_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=os.environ.get("CRM_URL", "https://crm.example.com/api"),
        headers={"Authorization": f"Token {os.environ.get('CRM_TOKEN', '')}"},
        timeout=15,
    )


@dataclass
class Clients:
    crm: httpx.AsyncClient
    web: aiohttp.ClientSession
    db: asyncpg.Pool


@contextlib.asynccontextmanager
async def open_clients():
    async with contextlib.AsyncExitStack() as stack:
        crm = await stack.enter_async_context(make_crm_client())
        web = await stack.enter_async_context(aiohttp.ClientSession())
        db = await asyncpg.create_pool(os.environ["INTEGRATIONS_DSN"])
        stack.push_async_callback(db.close)
        yield Clients(crm=crm, web=web, db=db)


class Enricher:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(raise_for_status=True)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def company(self, domain: str) -> dict:
        assert self._session is not None
        async with self._session.get("https://company.clearbit.example/v2/find", params={"domain": domain}) as r:
            return await r.json()


async def ping_all(clients: Clients) -> dict[str, bool]:
    out = {}
    try:
        out["crm"] = (await clients.crm.get("/health")).status_code == 200
    except httpx.HTTPError:
        out["crm"] = False
    out["db"] = await clients.db.fetchval("SELECT true")
    return out


async def one_off_export(path_url: str) -> bytes:
    client = make_crm_client()
    try:
        r = await client.get(path_url)
        r.raise_for_status()
        return r.content
    finally:
        await client.aclose()


async def main() -> None:
    enricher = Enricher()
    await enricher.start()
    try:
        async with open_clients() as clients:
            print(await ping_all(clients))
            print(await enricher.company("example.com"))
    finally:
        await enricher.close()
