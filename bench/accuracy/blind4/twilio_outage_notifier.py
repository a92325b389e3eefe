"""Text the on-call list when a status check flips to red."""
import asyncio
import logging
import os

import httpx
from twilio.rest import Client as TwilioClient

log = logging.getLogger("notifier")

CHECKS = ("https://api.example.com/healthz", "https://www.example.com/", "https://cdn.example.com/ping")


class Notifier:
    def __init__(self, numbers: list[str]):
        self.numbers = numbers
        self.twilio = TwilioClient(os.environ["TWILIO_SID"], os.environ["TWILIO_TOKEN"])
        self.http = httpx.AsyncClient(timeout=5)
        self.red: set[str] = set()

    async def aclose(self) -> None:
        await self.http.aclose()

    def _sms(self, to: str, body: str) -> str:
        return self.twilio.messages.create(to=to, from_=os.environ["TWILIO_FROM"], body=body).sid

    async def page(self, body: str) -> None:
        sids = await asyncio.gather(*(asyncio.to_thread(self._sms, n, body) for n in self.numbers))
        log.info("sent %d pages", len(sids))

    async def check(self, url: str) -> bool:
        try:
            r = await self.http.get(url)
            return r.status_code < 500
        except httpx.HTTPError:
            return False

    async def tick(self) -> None:
        results = await asyncio.gather(*(self.check(u) for u in CHECKS))
        for url, ok in zip(CHECKS, results):
            if not ok and url not in self.red:
                self.red.add(url)
                self.page(f"DOWN: {url}")  # bug: ADC201
            elif ok and url in self.red:
                self.red.discard(url)
                self.twilio.messages.create(to=self.numbers[0], from_=os.environ["TWILIO_FROM"], body=f"UP: {url}")  # bug: ADC101

    async def run(self) -> None:
        try:
            while True:
                await self.tick()
                await asyncio.sleep(30)
        finally:
            await self.aclose()


if __name__ == "__main__":
    asyncio.run(Notifier(os.environ["ONCALL"].split(",")).run())
