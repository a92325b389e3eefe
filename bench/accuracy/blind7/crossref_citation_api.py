"""Citation formatter for the university's reading-list tool (Litestar).

The same module doubles as a CLI: `python crossref_citation_api.py DOI...`.
"""
from __future__ import annotations

import asyncio
import sys

import httpx
from litestar import Litestar, get, post
from litestar.datastructures import State

CROSSREF = "https://api.crossref.org/works/"
MAILTO = "library-tools@uni.example"
crossref_slots = asyncio.Semaphore(8)  # Crossref "polite pool" etiquette


async def fetch_work(client: httpx.AsyncClient, doi: str) -> dict:
    async with crossref_slots:
        resp = await client.get(CROSSREF + doi, params={"mailto": MAILTO})
    resp.raise_for_status()
    return resp.json()["message"]


def format_apa(work: dict) -> str:
    authors = ", ".join(f"{a.get('family', '')}, {a.get('given', '')[:1]}." for a in work.get("author", [])[:6])
    year = work.get("issued", {}).get("date-parts", [[None]])[0][0]
    title = (work.get("title") or [""])[0]
    journal = (work.get("container-title") or [""])[0]
    return f"{authors} ({year}). {title}. {journal}. https://doi.org/{work['DOI']}"


async def fetch_all(client: httpx.AsyncClient, dois: list[str]) -> list[str]:
    works = await asyncio.gather(*(fetch_work(client, d) for d in dois))
    return [format_apa(w) for w in works]


async def _cli_fetch(dois: list[str]) -> list[str]:
    async with httpx.AsyncClient(timeout=20) as client:
        return await fetch_all(client, dois)


def format_all_sync(dois: list[str]) -> list[str]:
    return asyncio.run(_cli_fetch(dois))


@get("/works/{doi:path}")
async def get_work(doi: str, state: State) -> dict:
    task = asyncio.create_task(fetch_work(state.http, doi.lstrip("/")))  # bug: ADC302
    work = await task
    return {"doi": work["DOI"], "apa": format_apa(work)}


@post("/bibliography")
async def bibliography(data: list[str]) -> list[str]:
    return format_all_sync(data[:50])  # bug: ADC103


@post("/bibliography/v2")
async def bibliography_v2(data: list[str], state: State) -> list[str]:
    return await fetch_all(state.http, data[:50])


async def open_client(app: Litestar) -> None:
    app.state.http = httpx.AsyncClient(timeout=20, headers={"User-Agent": f"readinglist/3.1 (mailto:{MAILTO})"})


async def close_client(app: Litestar) -> None:
    await app.state.http.aclose()


app = Litestar(
    route_handlers=[get_work, bibliography, bibliography_v2],
    on_startup=[open_client],
    on_shutdown=[close_client],
)


if __name__ == "__main__":
    for line in format_all_sync(sys.argv[1:]):
        print(line)
