import asyncio
import logging
import threading
import time

import aiohttp

log = logging.getLogger(__name__)


class LicenseChecker:
    """Validates the license in a background thread at start-up (vendor SDK is sync)."""

    def __init__(self, sdk):
        self._sdk = sdk
        self._valid = False
        self._checked = threading.Event()
        self._thread = threading.Thread(target=self._check, daemon=True)

    def start(self):
        self._thread.start()

    def _check(self):
        try:
            self._valid = self._sdk.validate()
        finally:
            self._checked.set()

    async def require_license(self):
        if not self._checked.wait(timeout=10):  # bug: ADC101
            raise RuntimeError("license check timed out")
        if not self._valid:
            raise PermissionError("invalid license")

    def wait_sync(self, timeout=10):
        # used by the CLI before the loop starts
        return self._checked.wait(timeout)


async def handle_export(request, checker: LicenseChecker):
    await checker.require_license()
    async with aiohttp.ClientSession() as session:
        async with session.post("http://exporter.internal/jobs", json=request) as resp:
            resp.raise_for_status()
            return await resp.json()


def cli_main(sdk):
    checker = LicenseChecker(sdk)
    checker.start()
    started = time.monotonic()
    if not checker.wait_sync():
        raise SystemExit("license check timed out")
    log.info("license ok after %.2fs", time.monotonic() - started)
    return checker
