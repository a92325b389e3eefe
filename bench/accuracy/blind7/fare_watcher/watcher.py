"""The watch loop."""
import asyncio
import logging

import httpx

from . import amadeus_api, notify
from .amadeus_api import Route

log = logging.getLogger("fares")


class FareWatcher:
    def __init__(self, client, routes: list[Route], token: str, chat_id: str, interval: float = 3600) -> None:
        self.client = client
        self.routes = routes
        self.token = token
        self.chat_id = chat_id
        self.interval = interval
        self.best: dict[Route, float] = {}
        self.slots = asyncio.Semaphore(3)  # Amadeus self-service quota: 10 tps
        self.alerts: set[asyncio.Task] = set()

    async def check(self, http: httpx.AsyncClient, route: Route) -> None:
        async with self.slots:
            offer = await asyncio.to_thread(amadeus_api.cheapest_offer, self.client, route)
        if offer is None:
            return
        price = float(offer["price"]["grandTotal"])
        if price <= route.max_price and price < self.best.get(route, float("inf")):
            self.best[route] = price
            text = f"{route.origin}->{route.destination} on {route.depart}: EUR {price:.2f}"
            task = asyncio.create_task(notify.send_alert(http, self.token, self.chat_id, text))
            self.alerts.add(task)
            task.add_done_callback(self.alerts.discard)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=15) as http:
            while not stop.is_set():
                results = await asyncio.gather(*(self.check(http, r) for r in self.routes), return_exceptions=True)
                for route, result in zip(self.routes, results):
                    if isinstance(result, Exception):
                        log.warning("%s: %s", route, result)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)
                except asyncio.TimeoutError:
                    pass
            if self.alerts:
                await asyncio.gather(*self.alerts, return_exceptions=True)
