"""Synthetic checkout monitor driven by Playwright."""
import asyncio
import logging
import time

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

log = logging.getLogger("synthetic")


class CheckoutMonitor:
    def __init__(self, base_url, metrics, interval=120):
        self.base_url = base_url
        self.metrics = metrics
        self.interval = interval
        self.browser = None
        self.last_result = None
        self._runs = set()

    async def _report(self, name, seconds, ok):
        await self.metrics.gauge(f"synthetic.{name}.seconds", seconds)
        await self.metrics.increment(f"synthetic.{name}.{'ok' if ok else 'failed'}")

    async def check_once(self):
        context = await self.browser.new_context()
        page = await context.new_page()
        started = time.monotonic()
        ok = False
        try:
            await page.goto(f"{self.base_url}/products/test-sku", wait_until="networkidle")
            await page.click("#add-to-cart")
            await page.click("#checkout")
            await page.fill("#email", "synthetic@example.com")
            await page.click("#pay-test")
            await page.wait_for_selector(".order-confirmation", timeout=20_000)
            ok = True
        except PlaywrightError as exc:
            log.warning("checkout failed: %s", exc)
        finally:
            await context.close()
        elapsed = time.monotonic() - started
        self.last_result = (ok, elapsed)
        asyncio.create_task(self._report("checkout", elapsed, ok))  # bug: ADC301
        return ok

    async def wait_for_first_result(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.last_result is None:  # bug: ADC503
            if time.monotonic() > deadline:
                raise TimeoutError("no synthetic result yet")
            await asyncio.sleep(0.5)
        return self.last_result

    async def run(self):
        async with async_playwright() as pw:
            self.browser = await pw.chromium.launch()
            try:
                while True:
                    run = asyncio.create_task(self.check_once())
                    self._runs.add(run)
                    run.add_done_callback(self._runs.discard)
                    await asyncio.sleep(self.interval)
            finally:
                await self.browser.close()
