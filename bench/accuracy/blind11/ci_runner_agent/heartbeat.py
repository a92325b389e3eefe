import asyncio
import logging

import aiohttp

log = logging.getLogger("runner.heartbeat")
API = "https://ci.example.dev/api/runners"


async def register(token: str, hostname: str, labels: list[str]) -> str:
    session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"})  # bug: ADC401
    async with session.post(f"{API}/register", json={"hostname": hostname, "labels": labels}) as resp:
        resp.raise_for_status()
        body = await resp.json()
    log.info("registered as %s", body["runner_id"])
    return body["runner_id"]


async def beat(runner_id: str, token: str, stopped: asyncio.Event, every: float = 15.0) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        while not stopped.is_set():
            try:
                async with session.post(f"{API}/{runner_id}/heartbeat") as resp:
                    if resp.status == 410:
                        log.error("coordinator removed this runner, stopping")
                        stopped.set()
                        return
            except aiohttp.ClientError as exc:
                log.warning("heartbeat failed: %s", exc)
            try:
                await asyncio.wait_for(stopped.wait(), timeout=every)
            except asyncio.TimeoutError:
                pass
