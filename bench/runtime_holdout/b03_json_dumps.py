import asyncio
import json


CATALOG = [{"id": i, "name": "item%d" % i, "tags": ["a", "b", "c"], "price": i * 1.5} for i in range(300000)]


async def build_catalog():
    await asyncio.sleep(0)
    return CATALOG


async def export_handler():
    catalog = await build_catalog()
    body = json.dumps(catalog)  # EXPECT: blocking-call
    return len(body)


async def main():
    size = await export_handler()
    print("exported bytes > 1MB:", size > 1_000_000)


asyncio.run(main())
