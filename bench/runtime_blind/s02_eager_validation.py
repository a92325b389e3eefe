"""Event ingestion with the eager task factory: each event is stored by its own task."""
import asyncio
import sys


class Store:
    def __init__(self):
        self.rows: list[dict] = []

    async def insert(self, row: dict):
        await asyncio.sleep(0.002)
        self.rows.append(row)


class Ingestor:
    REQUIRED = ("id", "kind", "ts")

    def __init__(self, store: Store):
        self.store = store
        self.accepted = 0

    async def ingest(self, event: dict):
        missing = [k for k in self.REQUIRED if k not in event]
        if missing:
            raise KeyError(f"event {event.get('id', '?')} lacks {', '.join(missing)}")  # EXPECT: unretrieved-exception
        await self.store.insert({k: event[k] for k in self.REQUIRED})
        self.accepted += 1

    def submit(self, event: dict):
        asyncio.create_task(self.ingest(event))


async def main():
    if sys.version_info >= (3, 12):
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    store = Store()
    ingestor = Ingestor(store)
    events = [
        {"id": 1, "kind": "click", "ts": 100},
        {"id": 2, "kind": "view"},
        {"id": 3, "kind": "click", "ts": 103},
    ]
    for event in events:
        ingestor.submit(event)
    await asyncio.sleep(0.05)
    print("accepted:", ingestor.accepted)
    print("rows:", [row["id"] for row in sorted(store.rows, key=lambda r: r["id"])])


if __name__ == "__main__":
    asyncio.run(main())
