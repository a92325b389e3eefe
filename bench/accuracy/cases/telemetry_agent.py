import asyncio
import logging
import os
import platform

import aiohttp

log = logging.getLogger(__name__)


class TelemetryAgent:
    def __init__(self, endpoint, interval=300):
        self.endpoint = endpoint
        self.interval = interval
        self.loop = asyncio.get_event_loop()
        self._session = None
        self._reporter = None

    async def _report_once(self):
        payload = {"host": platform.node(), "pid": os.getpid(), "load": os.getloadavg()}
        async with self._session.post(self.endpoint, json=payload) as resp:
            if resp.status >= 400:
                log.debug("telemetry rejected: %s", resp.status)

    async def _run(self):
        while True:
            try:
                await self._report_once()
            except aiohttp.ClientError as exc:
                log.debug("telemetry failed: %s", exc)
            await asyncio.sleep(self.interval)

    def start(self):
        self._session = aiohttp.ClientSession()
        self._reporter = self.loop.create_task(self._run())

    async def _post_crash(self, payload):
        async with self._session.post(self.endpoint + "/crash", json=payload) as resp:
            log.debug("crash report sent: %s", resp.status)

    def report_crash(self, exc):
        payload = {"host": platform.node(), "error": repr(exc)}
        self.loop.create_task(self._post_crash(payload))  # bug: ADC301

    async def stop(self):
        if self._reporter:
            self._reporter.cancel()
            try:
                await self._reporter
            except asyncio.CancelledError:
                pass
        if self._session:
            await self._session.close()
