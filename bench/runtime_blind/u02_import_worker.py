"""Import worker: parses uploaded batches in background tasks keyed by upload id."""
import asyncio

from helper_parser import Row, parse_batch

UPLOADS = {
    "up-1": ["# sku, name, qty", "A1, anvil, 3", "B2, bucket, 10"],
    "up-2": ["C3, chisel, 7", "D4, drill, seven"],
    "up-3": ["E5, easel, 1"],
}


class ImportWorker:
    def __init__(self):
        self.jobs: dict[str, asyncio.Task] = {}
        self.stored: dict[str, list[Row]] = {}

    async def _run(self, upload_id: str, lines: list[str]):
        await asyncio.sleep(0.01)  # download the file
        rows = parse_batch(lines)
        self.stored[upload_id] = rows

    def start(self, upload_id: str):
        self.jobs[upload_id] = asyncio.create_task(self._run(upload_id, UPLOADS[upload_id]))

    def forget_finished(self):
        for upload_id in [u for u, t in self.jobs.items() if t.done()]:
            del self.jobs[upload_id]


async def main():
    worker = ImportWorker()
    for upload_id in UPLOADS:
        worker.start(upload_id)
    await asyncio.sleep(0.05)
    worker.forget_finished()
    for upload_id, rows in sorted(worker.stored.items()):
        print(upload_id, [f"{r.sku}x{r.qty}" for r in rows])
    print("still running:", sorted(worker.jobs))


if __name__ == "__main__":
    asyncio.run(main())
