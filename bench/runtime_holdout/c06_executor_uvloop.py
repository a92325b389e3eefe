import asyncio
import concurrent.futures
import hashlib
import time

import uvloop


def heavy(n):
    time.sleep(0.2)
    return hashlib.sha256(bytes(n)).hexdigest()[:8]


async def main():
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a = await loop.run_in_executor(pool, heavy, 10)
        b = await loop.run_in_executor(None, heavy, 20)
    print(a, b)


uvloop.run(main())
