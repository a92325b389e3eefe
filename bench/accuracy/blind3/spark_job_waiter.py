"""Submit Spark jobs through Livy and wait for them to finish."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import aiofiles
import httpx

log = logging.getLogger("livy")

TERMINAL = {"success", "dead", "killed", "error"}


class LivyClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def submit(self, file: str, args: list[str], conf: dict[str, str] | None = None) -> int:
        resp = await self._client.post("/batches", json={"file": file, "args": args, "conf": conf or {}})
        resp.raise_for_status()
        return resp.json()["id"]

    async def state(self, batch_id: int) -> str:
        resp = await self._client.get(f"/batches/{batch_id}/state")
        resp.raise_for_status()
        return resp.json()["state"]

    async def wait(self, batch_id: int, poll: float = 10.0, timeout: float = 6 * 3600) -> str:
        deadline = time.monotonic() + timeout
        state = await self.state(batch_id)
        while state not in TERMINAL:
            if time.monotonic() > deadline:
                raise TimeoutError(f"batch {batch_id} still {state} after {timeout}s")
            await asyncio.sleep(poll)
            state = await self.state(batch_id)
        log.info("batch %d finished: %s", batch_id, state)
        return state

    async def wait_until_up(self, attempts: int = 30) -> None:
        for attempt in range(attempts):
            try:
                resp = await self._client.get("/batches", params={"size": 1})
                if resp.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            log.info("livy not up yet (attempt %d)", attempt + 1)
            await asyncio.sleep(2)
        raise RuntimeError("livy did not come up")


async def follow_driver_log(path: Path, stop: asyncio.Event, sink) -> None:
    """Tail a driver log that another process appends to."""
    async with aiofiles.open(path, "r", errors="replace") as fh:
        while not stop.is_set():
            line = await fh.readline()
            if line:
                sink(line.rstrip("\n"))
            else:
                await asyncio.sleep(0.5)


async def run_pipeline(client: httpx.AsyncClient, stages: list[tuple[str, list[str]]]) -> bool:
    livy = LivyClient(client)
    await livy.wait_until_up()
    for file, args in stages:
        batch_id = await livy.submit(file, args)
        if await livy.wait(batch_id) != "success":
            log.error("stage %s failed, stopping pipeline", file)
            return False
    return True
