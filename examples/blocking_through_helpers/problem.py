"""Three shop requests at once, with handlers that block (ADC101, through helpers).

``shop.api.ShopAPI.list_orders`` is ``async def``, but it reaches
``requests.post`` through ``shop.auth.get_token`` and calls a
``requests.Session`` directly.  asyncdoctor follows the call across modules
and reports both lines in ``shop/api.py``.  Run it: three "concurrent"
requests take three times as long as one.
"""

import asyncio
import time

from fake_shop import serve
from shop import ShopAPI


async def main(base_url: str) -> None:
    api = ShopAPI(base_url, client_id="demo")
    start = time.perf_counter()
    results = await asyncio.gather(
        api.list_orders("ana"),
        api.list_orders("bo"),
        api.list_orders("cy"),
    )
    api.close()
    print(f"{sum(map(len, results))} orders in {time.perf_counter() - start:.1f}s (one call: 0.4s)")


if __name__ == "__main__":
    with serve() as url:
        asyncio.run(main(url))
