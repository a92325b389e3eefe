import asyncio
import logging

import httpx

log = logging.getLogger(__name__)


class JobPoller:
    """Polls the remote build service until a job finishes (the service has no webhooks)."""

    def __init__(self, client: httpx.AsyncClient, every: float = 5.0):
        self.client = client
        self.every = every

    async def status(self, job_id: str) -> str:
        resp = await self.client.get(f"/jobs/{job_id}")
        resp.raise_for_status()
        return resp.json()["state"]

    async def wait(self, job_id: str) -> str:
        while True:
            try:
                state = await self.status(job_id)
            except:  # bug: ADC601
                log.warning("status check for %s failed, will retry", job_id)
                state = "unknown"
            if state in ("succeeded", "failed", "cancelled"):
                return state
            await asyncio.sleep(self.every)
