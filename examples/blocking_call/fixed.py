"""The same service, with nothing blocking the event loop (clean).

``asyncio.sleep`` suspends only the current task; the file is read in a
worker thread with ``asyncio.to_thread``, and so is the ``requests`` call
(an async client such as ``httpx.AsyncClient`` would do as well).  Passing
``requests.get`` or ``RATES_FILE.read_text`` to ``to_thread`` *without
calling them* is what keeps them off the loop.  Run it: the three requests
overlap and take as long as one.
"""

import asyncio
import json
import time
from pathlib import Path

import requests

RATES_FILE = Path(__file__).with_name("rates.json")
RATES_URL = "https://rates.example.com/latest.json"


async def refresh_rates() -> dict[str, float]:
    response = await asyncio.to_thread(requests.get, RATES_URL, timeout=5)
    response.raise_for_status()
    return response.json()


async def load_rates() -> dict[str, float]:
    text = await asyncio.to_thread(RATES_FILE.read_text)
    return json.loads(text)


async def handle_request(amount: float, currency: str) -> str:
    await asyncio.sleep(0.3)
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
