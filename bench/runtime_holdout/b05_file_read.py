import asyncio
import os
import tempfile

PATH = os.path.join(tempfile.gettempdir(), "heldout_big_log.txt")


def make_log():
    if not os.path.exists(PATH) or os.path.getsize(PATH) < 100_000_000:
        with open(PATH, "w") as f:
            line = "2026-01-01 INFO request served in 3ms path=/api/v1/items\n"
            f.write(line * 2_000_000)


async def count_errors():
    with open(PATH) as f:
        lines = f.readlines()  # EXPECT: blocking-call
    return sum(1 for l in lines if "ERROR" in l)


async def main():
    print("errors:", await count_errors())


make_log()
asyncio.run(main())
