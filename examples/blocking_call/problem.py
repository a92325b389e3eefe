"""Blocking calls inside async code (ADC101 blocking-call).

``handle_request`` is a coroutine, yet it calls ``time.sleep`` and, through
``load_rates``, the builtin ``open()``; ``refresh_rates`` calls
``requests.get``.  Each of these blocks the whole thread: while one request
sleeps or waits for the disk or the network, the event loop cannot run any
other task.  Run it: three requests that should overlap take three times as
long as one, because they run one after the other.
"""

import asyncio
import json
import time
from pathlib import Path

import requests

RATES_FILE = Path(__file__).with_name("rates.json")
RATES_URL = "https://rates.example.com/latest.json"


async def refresh_rates() -> dict[str, float]:
    response = requests.get(RATES_URL, timeout=5)  # ADC101: blocking HTTP
    response.raise_for_status()
    return response.json()


async def load_rates() -> dict[str, float]:
    with open(RATES_FILE) as f:  # ADC101: blocking file I/O
        return json.load(f)


async def handle_request(amount: float, currency: str) -> str:
    time.sleep(0.3)  # ADC101: "pretend to be slow", freezes the loop instead
    rates = await load_rates()
    return f"{amount} EUR = {amount * rates[currency]:.2f} {currency}"


async def main() -> None:
    start = time.perf_counter()
    answers = await asyncio.gather(
        handle_request(10, "USD"),
        handle_request(20, "GBP"),
        handle_request(30, "JPY"),
    )
    print(*answers, sep="\n")
    print(f"3 requests took {time.perf_counter() - start:.1f}s (one takes 0.3s)")


if __name__ == "__main__":
    asyncio.run(main())
