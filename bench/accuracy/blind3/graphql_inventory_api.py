from __future__ import annotations

import asyncio
import os
from typing import Optional

import httpx
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.fastapi import GraphQLRouter
from strawberry.types import Info

SUPPLIER_API = os.environ.get("SUPPLIER_API", "https://suppliers.internal")
SHIPPING_API = os.environ.get("SHIPPING_API", "https://shipping.internal")


@strawberry.type
class Supplier:
    id: strawberry.ID
    name: str
    country: str


@strawberry.type
class Item:
    sku: str
    name: str
    supplier_id: strawberry.Private[str]
    warehouse_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def supplier(self, info: Info) -> Optional[Supplier]:
        return await info.context["suppliers"].load(self.supplier_id)

    @strawberry.field
    async def stock_levels(self, info: Info) -> list[int]:
        levels = []
        for warehouse_id in self.warehouse_ids:
            levels.append(await info.context["stock"].level(warehouse_id, self.sku))  # bug: ADC501
        return levels

    @strawberry.field
    async def shipping_estimate_days(self, country: str) -> Optional[int]:
        async with httpx.AsyncClient(base_url=SHIPPING_API, timeout=5) as client:  # bug: ADC402
            resp = await client.get("/estimate", params={"sku": self.sku, "to": country})
            return resp.json()["days"] if resp.status_code == 200 else None


class StockService:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._cache: dict[tuple[str, str], int] = {}

    async def level(self, warehouse_id: str, sku: str) -> int:
        refresh = asyncio.Lock()  # bug: ADC504
        async with refresh:
            key = (warehouse_id, sku)
            if key not in self._cache:
                resp = await self._client.get(f"/warehouses/{warehouse_id}/stock/{sku}")
                self._cache[key] = resp.json()["quantity"] if resp.status_code == 200 else 0
            return self._cache[key]


async def load_suppliers(client: httpx.AsyncClient, ids: list[str]) -> list[Optional[Supplier]]:
    resp = await client.get(f"{SUPPLIER_API}/suppliers", params={"id": ids})
    by_id = {s["id"]: Supplier(id=s["id"], name=s["name"], country=s["country"]) for s in resp.json()}
    return [by_id.get(i) for i in ids]


@strawberry.type
class Query:
    @strawberry.field
    async def items(self, info: Info, sku_prefix: str = "") -> list[Item]:
        rows = await info.context["db"].fetch(
            "SELECT sku, name, supplier_id, warehouse_ids FROM items WHERE sku LIKE $1 || '%' LIMIT 100",
            sku_prefix,
        )
        return [Item(sku=r["sku"], name=r["name"], supplier_id=r["supplier_id"], warehouse_ids=r["warehouse_ids"]) for r in rows]


def make_router(db_pool, http: httpx.AsyncClient) -> GraphQLRouter:
    async def get_context() -> dict:
        return {
            "db": db_pool,
            "suppliers": DataLoader(load_fn=lambda ids: load_suppliers(http, ids)),
            "stock": StockService(http),
        }

    return GraphQLRouter(strawberry.Schema(query=Query), context_getter=get_context)
