"""A configuration poller: watches a JSON file and exposes the latest version to the application."""
import asyncio
import hashlib
import json


class ConfigPoller:
    def __init__(self, path, interval=0.02):
        self.path = path
        self.interval = interval
        self.config = {}
        self.version = 0
        self._digest = None
        self._changed = asyncio.Condition()
        self._stopped = False
        self._task = None

    async def __aenter__(self):
        await self._check()
        self._task = asyncio.create_task(self._poll_forever(), name="config-poller")  # EXPECT: pending-task
        return self

    async def __aexit__(self, *exc_info):
        await self.aclose()

    async def aclose(self):
        self._stopped = True

    async def wait_for_version(self, version):
        async with self._changed:
            await self._changed.wait_for(lambda: self.version >= version)
        return self.config

    async def _poll_forever(self):
        while not self._stopped:
            await asyncio.sleep(self.interval)
            await self._check()

    async def _check(self):
        with open(self.path, "rb") as fh:
            raw = fh.read()
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._digest:
            return
        self._digest = digest
        self.config = json.loads(raw)
        self.version += 1
        async with self._changed:
            self._changed.notify_all()
