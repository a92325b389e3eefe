"""Thumbnail service with a cache whose membership test is asynchronous."""
import asyncio


class AsyncCache:
    def __init__(self):
        self._data: dict[str, bytes] = {}
        self.lookups = 0

    async def has(self, key: str) -> bool:
        await asyncio.sleep(0.001)  # a round trip to the cache server
        self.lookups += 1
        return key in self._data

    async def get(self, key: str) -> bytes:
        await asyncio.sleep(0.001)
        return self._data[key]

    async def put(self, key: str, value: bytes):
        await asyncio.sleep(0.001)
        self._data[key] = value


class Thumbnailer:
    def __init__(self, cache: AsyncCache):
        self.cache = cache
        self.rendered = 0

    async def render(self, name: str) -> bytes:
        await asyncio.sleep(0.01)
        self.rendered += 1
        return name.upper().encode()

    async def thumbnail(self, name: str) -> bytes:
        key = f"thumb:{name}"
        if self.cache.has(key):  # EXPECT: never-awaited
            return await self.cache.get(key)
        data = await self.render(name)
        await self.cache.put(key, data)
        return data


    async def warm(self, names: list[str]):
        for name in names:
            await self.cache.put(f"thumb:{name}", await self.render(name))


async def main():
    cache = AsyncCache()
    service = Thumbnailer(cache)
    await service.warm(["cat.png", "owl.png"])
    try:
        print("dog.png", await service.thumbnail("dog.png"))
    except KeyError as exc:
        print("dog.png missing from cache:", exc)
    print("rendered", service.rendered, "lookups", cache.lookups)


if __name__ == "__main__":
    asyncio.run(main())
