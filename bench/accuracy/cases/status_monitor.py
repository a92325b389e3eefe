"""Watches the upstream status page and alerts the on-call channel on changes."""

import asyncio
import logging
import os

import httpx

log = logging.getLogger("status-monitor")

STATUS_URL = os.environ.get("STATUS_URL", "https://status.upstream.example.com/api/v2/status.json")
ALERT_URL = os.environ.get("ALERT_URL", "https://alerts.internal/hooks/oncall")
INTERVAL = 30


async def alert(client: httpx.AsyncClient, text: str) -> None:
    resp = await client.post(ALERT_URL, json={"text": text})
    if resp.status_code >= 400:
        log.error("alert failed: %s", resp.status_code)


async def monitor() -> None:
    last = None
    while True:
        async with httpx.AsyncClient(timeout=10) as client:  # bug: ADC402
            try:
                resp = await client.get(STATUS_URL)
                indicator = resp.json()["status"]["indicator"]
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                log.warning("status check failed: %s", exc)
                indicator = "unknown"
            if indicator != last:
                await alert(client, f"upstream status changed: {last} -> {indicator}")
                last = indicator
        await asyncio.sleep(INTERVAL)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(monitor())
