"""Checksum uploaded blobs in pure Python, yielding to the loop between chunks so uploads keep flowing."""
import asyncio

MOD = 65521
CHUNK = 40_000


def make_blob(seed, size):
    return bytes((seed * 31 + i * 17 + (i >> 7)) & 0xFF for i in range(size))


async def adler32(data, chunk=CHUNK):
    a, b = 1, 0
    for start in range(0, len(data), chunk):
        for byte in data[start:start + chunk]:
            a += byte
            b += a
        a %= MOD
        b %= MOD
        await asyncio.sleep(0)  # let the other uploads make progress
    return (b << 16) | a


async def receive(name, seed, size, results):
    blob = b""
    for part in range(8):
        await asyncio.sleep(0.003)  # a network read
        blob += make_blob(seed + part, size // 8)
    results[name] = (len(blob), await adler32(blob))


async def ticker(stop, seen):
    while not stop.is_set():
        await asyncio.sleep(0.005)
        seen.append(1)


async def main():
    results, seen = {}, []
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(stop, seen))
    await asyncio.gather(
        receive("photo.raw", 3, 400_000, results),
        receive("backup.tar", 11, 600_000, results),
        receive("notes.txt", 5, 40_000, results),
    )
    stop.set()
    await tick
    for name in sorted(results):
        size, digest = results[name]
        print(f"{name}: {size} bytes adler32={digest:08x}")
    print("loop stayed responsive:", len(seen) > 0)


if __name__ == "__main__":
    asyncio.run(main())
