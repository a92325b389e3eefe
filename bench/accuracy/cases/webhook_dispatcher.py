"""Delivers queued webhook events to subscriber endpoints."""

import asyncio
import hashlib
import hmac
import json
import logging

import aiohttp

log = logging.getLogger(__name__)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Dispatcher:
    def __init__(self, queue: asyncio.Queue, timeout: float = 10.0):
        self.queue = queue
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def deliver(self, event: dict) -> bool:
        body = json.dumps(event["payload"]).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Signature": sign(event["secret"], body),
        }
        async with aiohttp.ClientSession(timeout=self.timeout) as session:  # bug: ADC402
            async with session.post(event["url"], data=body, headers=headers) as resp:
                return resp.status < 300

    async def run(self):
        while True:
            event = await self.queue.get()
            try:
                ok = await self.deliver(event)
                if not ok:
                    log.warning("delivery to %s failed", event["url"])
            except aiohttp.ClientError as exc:
                log.warning("delivery to %s errored: %s", event["url"], exc)
            finally:
                self.queue.task_done()
