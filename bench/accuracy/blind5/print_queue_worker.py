"""Office print relay: takes PDF jobs from Redis and submits them to CUPS printers."""
import asyncio
import json
import logging
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

import cups
import redis.asyncio as aioredis

log = logging.getLogger("print-relay")

WORKERS = 4
JOBS_KEY = "print:jobs"

_cups_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="cups")
_local = threading.local()  # a pycups Connection must stay on the thread that made it


def submit_to_cups(printer: str, pdf: bytes, title: str, copies: int) -> int:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = cups.Connection()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        return conn.printFile(printer, tmp.name, title, {"copies": str(copies)})


async def worker(n: int, r: aioredis.Redis, queue: asyncio.Queue) -> None:
    loop = asyncio.get_running_loop()
    while True:
        job = await queue.get()
        try:
            pdf = await r.get(f"print:blob:{job['id']}")
            cups_id = await loop.run_in_executor(
                _cups_pool, submit_to_cups, job["printer"], pdf, job["title"], job.get("copies", 1)
            )
            await r.hset(f"print:status:{job['id']}", mapping={"state": "sent", "cups_id": cups_id})
        except Exception:
            log.exception("worker %d: job %s failed", n, job["id"])
            await r.hset(f"print:status:{job['id']}", mapping={"state": "failed"})
        finally:
            queue.task_done()


async def feeder(r: aioredis.Redis, queue: asyncio.Queue) -> None:
    while True:
        _, raw = await r.blpop(JOBS_KEY)
        await queue.put(json.loads(raw))


async def main() -> None:
    r = aioredis.from_url("redis://localhost:6379/5")
    queue: asyncio.Queue = asyncio.Queue(maxsize=WORKERS * 2)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(feeder(r, queue))
            for n in range(WORKERS):
                tg.create_task(worker(n, r, queue))
    finally:
        await r.aclose()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    finally:
        _cups_pool.shutdown(wait=True)
