"""Where are the food trucks today? (Falcon ASGI, Redis GEO, city permit API)"""
from __future__ import annotations

import asyncio
import logging
import os

import falcon
import falcon.asgi
import httpx
import redis.asyncio as aioredis

log = logging.getLogger("trucks")
PERMITS_API = "https://data.city.example/resource/permits.json"
FEEDS = ("instagram", "x", "bluesky")


class Resources:
    async def process_startup(self, scope, event) -> None:
        self.redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), decode_responses=True)
        self.http = httpx.AsyncClient(timeout=8)
        self.social = httpx.AsyncClient(base_url="https://social-bridge.internal", timeout=4)

    async def process_shutdown(self, scope, event) -> None:
        await self.social.aclose()
        await self.http.aclose()
        await self.redis.aclose()


res = Resources()


class Nearby:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        lat, lon = req.get_param_as_float("lat", required=True), req.get_param_as_float("lon", required=True)
        hits = await res.redis.geosearch(
            "trucks:today", longitude=lon, latitude=lat, radius=2, unit="km", withdist=True, sort="ASC", count=25
        )
        names = [h[0] for h in hits]
        menus = await res.redis.mget([f"menu:{n}" for n in names]) if names else []
        resp.media = [{"truck": n, "km": round(d, 2), "menu": m} for (n, d), m in zip(hits, menus)]


class TruckPosts:
    async def _latest(self, feed: str, truck: str) -> dict | None:
        try:
            async with asyncio.timeout(3):
                r = await res.social.get(f"/{feed}/latest", params={"handle": truck})
                return r.json() if r.status_code == 200 else None
        except (TimeoutError, httpx.HTTPError):
            return None

    async def on_get(self, req, resp, truck: str) -> None:
        results: dict[str, asyncio.Task] = {}
        async with asyncio.TaskGroup() as tg:
            for feed in FEEDS:
                results[feed] = tg.create_task(self._latest(feed, truck))
        resp.media = {feed: t.result() for feed, t in results.items()}


class PermitRefresh:
    async def on_post(self, req, resp) -> None:
        rows, offset = [], 0
        while True:
            r = await res.http.get(PERMITS_API, params={"$limit": 1000, "$offset": offset, "status": "active"})
            r.raise_for_status()
            batch = r.json()
            rows += batch
            if len(batch) < 1000:
                break
            offset += 1000
        async with res.redis.pipeline(transaction=True) as pipe:
            pipe.delete("trucks:today")
            for p in rows:
                pipe.geoadd("trucks:today", (float(p["longitude"]), float(p["latitude"]), p["truck_name"]))
            await pipe.execute()
        resp.media = {"trucks": len(rows)}


app = falcon.asgi.App(middleware=[res])
app.add_route("/trucks/nearby", Nearby())
app.add_route("/trucks/{truck}/posts", TruckPosts())
app.add_route("/admin/permits/refresh", PermitRefresh())
