"""Deliver webhook events to subscribers (a local aiohttp receiver) without holding up the caller."""
import asyncio
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

RECEIVED = []


async def receive(request):
    payload = await request.json()
    RECEIVED.append((request.match_info["hook"], payload["event"]))
    return web.json_response({"ok": True})


class Dispatcher:
    def __init__(self, session):
        self._session = session
        self._inflight = set()
        self.delivered = 0

    def publish(self, url, event):
        task = asyncio.create_task(self._deliver(url, event))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _deliver(self, url, event):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"refusing to deliver {event!r} to {url!r}: unsupported scheme")  # EXPECT: unretrieved-exception
        async with self._session.post(url, json={"event": event}) as resp:
            resp.raise_for_status()
        self.delivered += 1

    async def drain(self):
        if self._inflight:
            await asyncio.wait(set(self._inflight))


async def main():
    app = web.Application()
    app.router.add_post("/hooks/{hook}", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession() as session:
            dispatcher = Dispatcher(session)
            subscribers = [f"{base}/hooks/billing", "ftp://legacy.example/hooks", f"{base}/hooks/crm"]
            for event in ("invoice.paid", "invoice.voided"):
                for url in subscribers[:2] if event == "invoice.paid" else subscribers[::2]:
                    dispatcher.publish(url, event)
            await dispatcher.drain()
            print("delivered:", dispatcher.delivered)
    finally:
        await runner.cleanup()
    for hook, event in sorted(RECEIVED):
        print(f"{hook} got {event}")


if __name__ == "__main__":
    asyncio.run(main())
