"""Workers that clean up and let cancellation through (clean).

``worker`` catches ``CancelledError`` only to put its job back on the queue,
then re-raises it.  ``uploader`` catches ``Exception``, which covers every
upload error but not ``CancelledError`` (a ``BaseException`` since Python
3.8).  Run it: ``cancel()`` stops both workers at once.
"""

import asyncio


async def handle(job: str) -> None:
    await asyncio.sleep(0.05)  # stands in for real work


async def worker(queue: asyncio.Queue[str | None]) -> None:
    while True:
        job = await queue.get()
        if job is None:
            return
        try:
            await handle(job)
        except asyncio.CancelledError:
            queue.put_nowait(job)  # leave the job for whoever comes next
            raise


async def uploader(queue: asyncio.Queue[str | None]) -> None:
    while True:
        job = await queue.get()
        if job is None:
            return
        try:
            await handle(job)
        except Exception as exc:
            print(f"upload of {job} failed ({exc}), skipping it")


async def main() -> None:
    jobs: asyncio.Queue[str | None] = asyncio.Queue()
    for n in range(6):
        jobs.put_nowait(f"job-{n}")
    tasks = [asyncio.create_task(worker(jobs)), asyncio.create_task(uploader(jobs))]
    await asyncio.sleep(0.07)  # both are busy with a job now
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks)
    print("cancelled:", [task.cancelled() for task in tasks])
    print("jobs left for later:", jobs.qsize())


if __name__ == "__main__":
    asyncio.run(main())
