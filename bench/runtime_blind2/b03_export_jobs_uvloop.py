"""A job queue on uvloop: three workers handle thumbnail, notify and export jobs; exports land in a temp dir."""
import asyncio
import json
import os
import tempfile
from dataclasses import dataclass

import uvloop


@dataclass
class Job:
    job_id: int
    kind: str
    payload: dict


NOTE = "Café crème brûlée — naïve façade, résumé über Straße; ½ price déjà vu. " * 6


class OrderStore:
    """Stands in for an async database cursor that returns orders a page at a time."""

    def __init__(self, total):
        self.total = total

    async def fetch_page(self, start, size):
        await asyncio.sleep(0)  # one round trip per page
        stop = min(start + size, self.total)
        return [
            {"id": i, "sku": f"SKU-{i % 977:04d}", "qty": i % 7 + 1, "price": round(i * 0.37, 2), "note": NOTE + str(i)}
            for i in range(start, stop)
        ]


async def build_report(store, page_size=4000):
    orders = []
    for start in range(0, store.total, page_size):
        orders.extend(await store.fetch_page(start, page_size))
    return {"title": "orders", "count": len(orders), "orders": orders}


async def write_export(path, text, chunk=1 << 20):
    fh = await asyncio.to_thread(open, path, "w", encoding="utf-8")
    try:
        for start in range(0, len(text), chunk):
            await asyncio.to_thread(fh.write, text[start:start + chunk])
    finally:
        await asyncio.to_thread(fh.close)
    return os.path.getsize(path)


async def handle(job, outdir):
    if job.kind == "thumbnail":
        await asyncio.sleep(0.01)
        return f"thumb {job.payload['image']} 128x128"
    if job.kind == "notify":
        await asyncio.sleep(0.005)
        return f"notified {job.payload['user']}"
    if job.kind == "export":
        report = await build_report(OrderStore(job.payload["orders"]))
        text = json.dumps(report, sort_keys=True, indent=1)  # EXPECT: blocking-call
        size = await write_export(os.path.join(outdir, f"export-{job.job_id}.json"), text)
        return f"export {report['count']} orders, {size} bytes"
    raise ValueError(f"unknown job kind {job.kind!r}")


async def worker(name, queue, results, outdir):
    while True:
        job = await queue.get()
        try:
            results[job.job_id] = await handle(job, outdir)
        finally:
            queue.task_done()


async def main():
    jobs = [
        Job(1, "thumbnail", {"image": "cat.png"}),
        Job(2, "notify", {"user": "ada"}),
        Job(3, "export", {"orders": 75_000}),
        Job(4, "thumbnail", {"image": "dog.png"}),
        Job(5, "notify", {"user": "grace"}),
        Job(6, "thumbnail", {"image": "owl.png"}),
    ]
    queue = asyncio.Queue()
    results = {}
    with tempfile.TemporaryDirectory(prefix="blind2-export-") as outdir:
        workers = [asyncio.create_task(worker(f"w{i}", queue, results, outdir)) for i in range(3)]
        for job in jobs:
            queue.put_nowait(job)
        await queue.join()
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    for job_id in sorted(results):
        print(job_id, results[job_id])


if __name__ == "__main__":
    uvloop.run(main())
