"""A CLI that geocodes a batch of addresses with a blocking SDK, running each call in a worker thread."""
import asyncio
import hashlib
import json
import os
import tempfile
import time

ADDRESSES = ["1 Main St, Springfield", "221B Baker St, London", "742 Evergreen Tce, Springfield", "10 Downing St, London"]


class LegacyGeoSDK:
    """A synchronous vendor SDK: every call blocks for a network round trip."""

    def lookup(self, address):
        time.sleep(0.3)
        digest = hashlib.sha256(address.encode()).digest()
        return {"address": address, "lat": round(digest[0] / 2.55 - 50, 2), "lon": round(digest[1] / 1.42 - 90, 2)}


def save_results(path, results):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=2, sort_keys=True)
    return os.path.getsize(path)


async def geocode_all(sdk, addresses, limit=3):
    gate = asyncio.Semaphore(limit)

    async def one(address):
        async with gate:
            return await asyncio.to_thread(sdk.lookup, address)

    return await asyncio.gather(*(one(a) for a in addresses))


async def main():
    sdk = LegacyGeoSDK()
    started = time.perf_counter()
    results = await geocode_all(sdk, ADDRESSES)
    elapsed = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="blind2-geo-") as outdir:
        size = await asyncio.to_thread(save_results, os.path.join(outdir, "geo.json"), results)
    for item in results:
        print(f"{item['address']}: {item['lat']}, {item['lon']}")
    print("saved", size > 0, "| concurrent:", elapsed < 1.1)


if __name__ == "__main__":
    asyncio.run(main())
