import asyncio
import subprocess
import sys


async def git_version():
    proc = subprocess.run([sys.executable, "-c", "import time; time.sleep(0.3); print('v1.2.3')"], capture_output=True, text=True)  # EXPECT: blocking-call
    return proc.stdout.strip()


async def main():
    ticker = asyncio.create_task(asyncio.sleep(0.05))
    v = await git_version()
    await ticker
    print("version", v)


asyncio.run(main())
