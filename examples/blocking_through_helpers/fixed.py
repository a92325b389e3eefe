"""The same three requests with ``shop_fixed``, which awaits its I/O (clean).

Every network call in ``shop_fixed`` is awaited on one shared
``httpx.AsyncClient``, so the three requests overlap.  Run it: they take
about as long as one.
"""

import asyncio
import time

from fake_shop import serve
from shop_fixed import ShopAPI


async def main(base_url: str) -> None:
    api = ShopAPI(base_url, client_id="demo")
    try:
        start = time.perf_counter()
        results = await asyncio.gather(
            api.list_orders("ana"),
            api.list_orders("bo"),
            api.list_orders("cy"),
        )
    finally:
        await api.aclose()
    print(f"{sum(map(len, results))} orders in {time.perf_counter() - start:.1f}s (one call: 0.4s)")


if __name__ == "__main__":
    with serve() as url:
        asyncio.run(main(url))
