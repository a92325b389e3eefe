"""Day-ahead bidding for a battery and wind portfolio.

Every morning before gate closure (12:00 CET) the bidder pulls yesterday's
clearing prices per bidding zone from ENTSO-E, builds price-quantity curves
and submits one portfolio order to the exchange's REST API.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from datetime import date, datetime, timedelta
from time import sleep
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
from entsoe import EntsoePandasClient

log = logging.getLogger("bidder")
ZONES = ("DE_LU", "FR", "NL", "BE", "AT", "CH")
CET = ZoneInfo("Europe/Brussels")


def build_curve(prices: pd.Series, exposure_mwh: float) -> list[dict]:
    q = prices.quantile([0.2, 0.5, 0.8])
    return [{"price": round(float(p), 2), "mwh": round(max(0.0, 20 - exposure_mwh) * w, 1)}
            for p, w in zip(q, (1.0, 0.6, 0.3))]


class Bidder:
    def __init__(self, entsoe_key: str, exchange_url: str, token: str) -> None:
        self.entsoe = EntsoePandasClient(api_key=entsoe_key)
        self.exchange = httpx.AsyncClient(base_url=exchange_url, timeout=20,
                                          headers={"Authorization": f"Bearer {token}"})
        self._position_lock = threading.Lock()
        self.positions: dict[str, float] = {}

    def risk_snapshot(self) -> dict[str, float]:
        """Called every minute by the risk desk's export thread."""
        with self._position_lock:
            return dict(self.positions)

    async def fetch_prices(self, day: date) -> dict[str, pd.Series]:
        start = pd.Timestamp(day - timedelta(days=1), tz=CET)
        end = start + pd.Timedelta(days=1)
        prices = {}
        for zone in ZONES:
            prices[zone] = await asyncio.to_thread(self.entsoe.query_day_ahead_prices, zone, start=start, end=end)  # bug: ADC501
        return prices

    async def submit(self, order: dict) -> dict:
        for attempt in range(5):
            resp = await self.exchange.post("/v1/portfolio-orders", json=order)
            if resp.status_code != 429:
                resp.raise_for_status()
                return resp.json()
            log.warning("exchange throttled us, attempt %d", attempt)
            sleep(2 ** attempt)  # bug: ADC101
        raise RuntimeError("exchange kept throttling")

    async def place_portfolio(self, day: date, prices: dict[str, pd.Series]) -> None:
        with self._position_lock:  # bug: ADC102
            curves = {z: build_curve(p, self.positions.get(z, 0.0)) for z, p in prices.items()}
            ack = await self.submit({"delivery_day": day.isoformat(), "curves": curves})
            for zone, mwh in ack["accepted_mwh"].items():
                self.positions[zone] = self.positions.get(zone, 0.0) + mwh

    async def wait_for_window(self) -> None:
        now = datetime.now(CET)
        opens = now.replace(hour=10, minute=30, second=0, microsecond=0)
        if now < opens:
            await asyncio.sleep((opens - now).total_seconds())


def risk_export(bidder: Bidder, path: str, stop: threading.Event) -> None:
    while not stop.wait(60):
        with open(path, "w") as fh:
            json.dump({"at": time.time(), "positions": bidder.risk_snapshot()}, fh)


async def main(bidder: Bidder) -> None:
    try:
        await bidder.wait_for_window()
        day = date.today() + timedelta(days=1)
        prices = await bidder.fetch_prices(day)
        await bidder.place_portfolio(day, prices)
    finally:
        await bidder.exchange.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    b = Bidder("entsoe-key", "https://api.exchange.example", "token")
    stop = threading.Event()
    threading.Thread(target=risk_export, args=(b, "/srv/risk/positions.json", stop), daemon=True).start()
    try:
        asyncio.run(main(b))
    finally:
        stop.set()
