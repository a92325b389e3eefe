"""arq worker: tasks imaging orders to the constellation and QA's the deliveries."""
from __future__ import annotations

import asyncio
import logging
import os

import httpx
import numpy as np
import rasterio
from arq.connections import RedisSettings
from rasterio.windows import Window

log = logging.getLogger("tasking")
TASKING_API = "https://api.constellation.example/v2"


async def startup(ctx: dict) -> None:
    ctx["api"] = httpx.AsyncClient(
        base_url=TASKING_API, headers={"Authorization": f"Bearer {os.environ['SAT_TOKEN']}"}, timeout=30
    )


async def shutdown(ctx: dict) -> None:
    await ctx["api"].aclose()


def _cloud_fraction(path: str) -> float:
    with rasterio.open(path) as src:
        qa = src.read(src.count)
    return float(np.count_nonzero(qa & 0b1000) / qa.size)


async def _feasibility(api: httpx.AsyncClient, aoi: dict, window: dict) -> list[dict]:
    resp = await api.post("/feasibility", json={"aoi": aoi, "window": window})
    resp.raise_for_status()
    return resp.json()["opportunities"]


async def submit_order(ctx: dict, order: dict) -> str:
    api: httpx.AsyncClient = ctx["api"]
    pending = asyncio.create_task(_feasibility(api, order["aoi"], order["window"]))  # bug: ADC302
    opportunities = await pending
    if not opportunities:
        return "infeasible"
    best = min(opportunities, key=lambda o: o["off_nadir_deg"])
    resp = await api.post("/tasks", json={"opportunity_id": best["id"], "priority": order.get("priority", "standard")})
    resp.raise_for_status()
    return resp.json()["task_id"]


async def qa_delivery(ctx: dict, delivery: dict) -> dict:
    api: httpx.AsyncClient = ctx["api"]
    scene_path = delivery["cog_url"].replace("s3://", "/vsis3/")
    with rasterio.open(scene_path) as src:  # bug: ADC101 @cog
        preview = src.read(1, window=Window(0, 0, 2048, 2048))  # bug: ADC101 @cog
    if preview.max() == 0:
        return {"status": "rejected", "reason": "empty preview"}
    cloud = await asyncio.to_thread(_cloud_fraction, scene_path)
    tiles = []
    for tile_id in delivery["tile_ids"]:
        resp = await api.get(f"/deliveries/{delivery['id']}/tiles/{tile_id}/checksum")  # bug: ADC501
        tiles.append(resp.json()["sha256"])
    return {"status": "accepted" if cloud < 0.3 else "retask", "cloud": cloud, "tiles": tiles}


async def sync_catalogue(ctx: dict) -> int:
    api: httpx.AsyncClient = ctx["api"]
    seen, cursor = 0, None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        resp = await api.get("/catalogue/items", params=params)
        resp.raise_for_status()
        page = resp.json()
        seen += len(page["items"])
        cursor = page.get("next")
        if not cursor:
            return seen


class WorkerSettings:
    functions = [submit_order, qa_delivery, sync_catalogue]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings(host="redis")
    max_jobs = 8
