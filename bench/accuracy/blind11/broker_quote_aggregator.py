"""Commercial property quotes from the broker's insurer panel (Litestar)."""
import asyncio
import logging
import os
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx
from litestar import Litestar, post
from litestar.datastructures import State

log = logging.getLogger("quotes")

INSURERS = (
    ("aviva", "https://broker-api.insurer-one.example/v3"),
    ("axa", "https://partners.insurer-two.example/api"),
    ("hiscox", "https://trade.insurer-three.example/quote"),
    ("zurich", "https://broker.insurer-four.example/v1"),
)
PANEL_TIMEOUT_S = 12


@dataclass
class Risk:
    postcode: str
    trade: str
    building_sum: int
    contents_sum: int
    claims_5y: int


@asynccontextmanager
async def panel(app: Litestar):
    async with AsyncExitStack() as stack:
        app.state.clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=10, headers={"X-Broker-Id": os.environ.get("BROKER_ID", "")})
            )
            for name, url in INSURERS
        }
        app.state.geo = await stack.enter_async_context(httpx.AsyncClient(base_url="https://flood-risk.example/api"))
        yield


async def ask(name: str, client: httpx.AsyncClient, risk: Risk, flood_band: str) -> dict | None:
    body = {**risk.__dict__, "flood_band": flood_band}
    for attempt in range(3):
        try:
            resp = await client.post("/quotes", json=body)
            if resp.status_code == 503:
                await asyncio.sleep(0.5 * 2 ** attempt)
                continue
            resp.raise_for_status()
            return {"insurer": name, **resp.json()}
        except httpx.HTTPStatusError as exc:
            log.info("%s declined: %s", name, exc.response.text[:200])
            return None
        except asyncio.CancelledError:
            log.info("%s did not answer within the panel timeout", name)
            raise
    return None


async def flood_band(geo: httpx.AsyncClient, postcode: str) -> str:
    resp = await geo.get(f"/bands/{postcode.replace(' ', '')}")
    return resp.json().get("band", "unknown") if resp.status_code == 200 else "unknown"


@post("/quotes")
async def quote(data: Risk, state: State) -> dict:
    band = await asyncio.wait_for(flood_band(state.geo, data.postcode), timeout=3)
    asks = [asyncio.create_task(ask(name, state.clients[name], data, band)) for name, _ in INSURERS]
    done, late = await asyncio.wait(asks, timeout=PANEL_TIMEOUT_S)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    answers = [t.result() for t in done if t.exception() is None]
    quotes = sorted((a for a in answers if a is not None), key=lambda q: q["annual_premium"])
    return {"flood_band": band, "quotes": quotes, "panel": len(INSURERS), "late": len(late)}


@post("/quotes/referral")
async def referral(data: Risk, state: State) -> dict:
    async with asyncio.TaskGroup() as tg:
        band_task = tg.create_task(flood_band(state.geo, data.postcode))
        checks = {
            name: tg.create_task(state.clients[name].post("/appetite", json={"trade": data.trade}))
            for name, _ in INSURERS
        }
    willing = [name for name, t in checks.items() if t.result().status_code == 200]
    return {"flood_band": band_task.result(), "willing_to_refer": willing}


app = Litestar(route_handlers=[quote, referral], lifespan=[panel])
