"""Backup verifier: checks several archives concurrently in a TaskGroup."""
import asyncio
import zlib


class Archive:
    def __init__(self, name: str, size: int):
        self.name = name
        self.payload = bytes((i * 31 + len(name)) % 251 for i in range(256)) * (size // 256)


async def adler_small(archive: Archive) -> int:
    await asyncio.sleep(0.01)
    return zlib.adler32(archive.payload)


async def legacy_checksum(archive: Archive) -> int:
    await asyncio.sleep(0.01)
    # the old format uses a pure-Python sum of squares
    return sum(b * b for b in archive.payload) % 65521  # EXPECT: blocking-call


async def verify_all(archives: list[Archive]) -> dict[str, int]:
    results: dict[str, asyncio.Task] = {}
    async with asyncio.timeout(30):
        async with asyncio.TaskGroup() as tg:
            for archive in archives:
                check = legacy_checksum if archive.name.endswith(".old") else adler_small
                results[archive.name] = tg.create_task(check(archive))
    return {name: task.result() for name, task in results.items()}


async def main(archives: list[Archive]):
    sums = await verify_all(archives)
    for name in sorted(sums):
        print(f"{name}: {sums[name]}")


if __name__ == "__main__":
    asyncio.run(main([Archive("home.tar", 4096), Archive("db.old", 6_000_000), Archive("etc.tar", 2048)]))
