"""A request handler that reads feature flags from a self-refreshing cache."""
import asyncio

from helper_cache import ConfigSource, RefreshingCache


async def handle(cache: RefreshingCache, path: str) -> str:
    await asyncio.sleep(0.01)
    flags = cache.value
    variant = "new" if flags.get("feature_x") else "old"
    return f"{path} -> {variant} (config v{flags['version']})"


async def main():
    cache = RefreshingCache(ConfigSource(), every=10.0)
    await cache.start()
    for path in ["/", "/search", "/cart"]:
        print(await handle(cache, path))
    print("shutting down")  # forgot: await cache.stop()


if __name__ == "__main__":
    asyncio.run(main())
