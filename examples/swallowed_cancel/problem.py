"""Workers that swallow cancellation (ADC601 swallowed-cancel).

Cancelling a task raises ``asyncio.CancelledError`` at its current
``await``.  ``worker`` catches it and carries on ("keep the worker alive"),
and ``uploader`` uses a bare ``except:`` meant for upload errors, which
catches cancellation too.  Shutdown, timeouts and ``TaskGroup`` all rely on
cancellation: these tasks ignore them.  Run it: after ``cancel()`` both
workers are still running, and ``main`` has to push sentinels to stop them.
"""

import asyncio


async def handle(job: str) -> None:
    await asyncio.sleep(0.05)  # stands in for real work


async def worker(queue: asyncio.Queue[str | None]) -> None:
    while True:
        try:
            job = await queue.get()
            if job is None:
                return
            await handle(job)
        except asyncio.CancelledError:
            pass  # ADC601: the cancellation is lost


async def uploader(queue: asyncio.Queue[str | None]) -> None:
    while True:
        job = await queue.get()
        if job is None:
            return
        try:
            await handle(job)
        except:  # ADC601: a bare except catches CancelledError too
            print(f"upload of {job} failed, skipping it")


async def main() -> None:
    jobs: asyncio.Queue[str | None] = asyncio.Queue()
    for n in range(6):
        jobs.put_nowait(f"job-{n}")
    tasks = [asyncio.create_task(worker(jobs)), asyncio.create_task(uploader(jobs))]
    await asyncio.sleep(0.07)  # both are busy with a job now
    for task in tasks:
        task.cancel()
    await asyncio.sleep(0.1)
    print("still running after cancel():", [not task.done() for task in tasks])
    for _ in tasks:
        jobs.put_nowait(None)  # stop them the hard way
    await asyncio.wait(tasks)


if __name__ == "__main__":
    asyncio.run(main())
