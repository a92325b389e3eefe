"""Feature-flag evaluation API: flags cached in memory, segments from the CRM."""
import asyncio
import hashlib
import threading
import time
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI, Request

CONFIG_URL = "https://flags-config.internal/api/flags"
CRM_URL = "https://crm.internal/api"


class FlagCache:
    def __init__(self) -> None:
        self.flags: dict[str, dict] = {}
        self.loaded_at = 0.0
        self._refresh_lock = asyncio.Lock()
        self._stats_lock = threading.Lock()  # the metrics exporter thread reads stats
        self.evaluations: dict[str, int] = {}

    async def refresh(self, client: httpx.AsyncClient) -> None:
        async with self._refresh_lock:
            if time.monotonic() - self.loaded_at < 30:
                return
            resp = await client.get(CONFIG_URL)
            resp.raise_for_status()
            self.flags = {f["key"]: f for f in resp.json()["flags"]}
            self.loaded_at = time.monotonic()

    def count(self, key: str) -> None:
        with self._stats_lock:
            self.evaluations[key] = self.evaluations.get(key, 0) + 1


cache = FlagCache()


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(timeout=5) as client:
        app.state.http = client
        await cache.refresh(client)
        yield


app = FastAPI(lifespan=lifespan)


async def crm_client():
    async with httpx.AsyncClient(base_url=CRM_URL, timeout=3) as client:  # bug: ADC402
        yield client


def bucket(key: str, user_id: str) -> int:
    return int(hashlib.sha1(f"{key}:{user_id}".encode()).hexdigest()[:8], 16) % 100


@app.get("/flags/{key}")
async def evaluate(key: str, user_id: str, request: Request, crm: httpx.AsyncClient = Depends(crm_client)):
    await cache.refresh(request.app.state.http)
    flag = cache.flags.get(key)
    if flag is None:
        return {"key": key, "enabled": False}
    cache.count(key)
    if flag.get("segment"):
        resp = await crm.get(f"/users/{user_id}/segments")
        return {"key": key, "enabled": flag["segment"] in resp.json()["segments"]}
    return {"key": key, "enabled": bucket(key, user_id) < flag["rollout"]}


@app.post("/flags/reset-stats")
async def reset_stats(request: Request):
    with cache._stats_lock:  # bug: ADC102
        snapshot = dict(cache.evaluations)
        await request.app.state.http.post(CONFIG_URL + "/stats", json=snapshot)
        cache.evaluations.clear()
    return {"reported": len(snapshot)}
