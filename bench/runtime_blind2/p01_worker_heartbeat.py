"""A batch worker that reports a heartbeat to its supervisor while it processes resize jobs."""
import asyncio
import time


class Supervisor:
    def __init__(self):
        self.last_seen = {}

    def beat(self, worker):
        self.last_seen[worker] = time.monotonic()


async def heartbeat(supervisor, worker, interval=0.05):
    while True:
        supervisor.beat(worker)
        await asyncio.sleep(interval)


async def resize(job):
    name, width, height = job
    await asyncio.sleep(0.02)  # the image service call
    scale = min(1.0, 800 / max(width, height))
    return name, round(width * scale), round(height * scale)


async def run_worker(supervisor, jobs):
    asyncio.create_task(heartbeat(supervisor, "worker-1"))  # EXPECT: pending-task
    results = []
    for job in jobs:
        results.append(await resize(job))
    return results


async def main():
    supervisor = Supervisor()
    jobs = [("beach.jpg", 4000, 3000), ("logo.png", 512, 512), ("banner.jpg", 1920, 400), ("scan.tif", 2480, 3508)]
    for name, width, height in await run_worker(supervisor, jobs):
        print(f"{name}: {width}x{height}")
    print("supervisor saw:", sorted(supervisor.last_seen))


if __name__ == "__main__":
    asyncio.run(main())
