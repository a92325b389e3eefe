import asyncio
import subprocess
import sys


async def start_indexer():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])  # EXPECT: unclosed-resource
    await asyncio.sleep(0.3)
    return proc.pid > 0


async def main():
    print("started", await start_indexer())


asyncio.run(main())
