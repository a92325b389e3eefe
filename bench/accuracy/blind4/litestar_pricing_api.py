from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from decimal import Decimal

import httpx
from litestar import Litestar, get, post
from litestar.datastructures import State

FX_URL = "https://fx.internal/v2/rates"
CATALOG_URL = os.environ.get("CATALOG_URL", "http://catalog:8000")


@dataclass
class Quote:
    sku: str
    currency: str
    price: Decimal


async def on_startup(app: Litestar) -> None:
    app.state.catalog = httpx.AsyncClient(base_url=CATALOG_URL, timeout=5)
    app.state.fx_cache = {}


async def on_shutdown(app: Litestar) -> None:
    await app.state.catalog.aclose()


async def fx_rate(currency: str) -> Decimal:
    async with httpx.AsyncClient(timeout=3) as fx:  # bug: ADC402
        r = await fx.get(FX_URL, params={"base": "EUR", "symbol": currency})
        r.raise_for_status()
        return Decimal(str(r.json()["rate"]))


@get("/quote/{sku:str}")
async def quote(sku: str, currency: str, state: State) -> Quote:
    base = (await state.catalog.get(f"/items/{sku}")).json()["price_eur"]
    rate = state.fx_cache.get(currency) or await fx_rate(currency)
    return Quote(sku, currency, Decimal(str(base)) * rate)


@post("/quote/basket")
async def basket(data: dict, state: State) -> list[Quote]:
    currency = data.get("currency", "EUR")
    rate = await fx_rate(currency)
    out = []
    for sku in data["skus"]:
        item = (await state.catalog.get(f"/items/{sku}")).json()  # bug: ADC501
        out.append(Quote(sku, currency, Decimal(str(item["price_eur"])) * rate))
    return out


@post("/admin/fx/refresh")
async def refresh_fx(state: State) -> dict:
    guard = asyncio.Lock()  # bug: ADC504
    async with guard:
        rates = await asyncio.gather(*(fx_rate(c) for c in ("USD", "GBP", "CHF", "JPY")))
        state.fx_cache.update(zip(("USD", "GBP", "CHF", "JPY"), rates))
    return {"refreshed": len(rates)}


app = Litestar(
    route_handlers=[quote, basket, refresh_fx],
    on_startup=[on_startup],
    on_shutdown=[on_shutdown],
)
