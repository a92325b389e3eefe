"""An ingest job that validates records while background tasks ship metrics; exits 4 when records were rejected."""
import asyncio
import sys

# strong references so background tasks are not garbage-collected mid-flight
_background: list[asyncio.Task] = []

RECORDS = [
    {"id": 1, "email": "ada@example.com", "age": 36},
    {"id": 2, "email": "not-an-email", "age": 41},
    {"id": 3, "email": "grace@example.com", "age": -5},
    {"id": 4, "email": "linus@example.com", "age": 29},
    {"id": 5, "email": "ken@example.com", "age": 52},
]


def spawn(coro, name):
    task = asyncio.create_task(coro, name=name)
    _background.append(task)
    return task


class MetricsSink:
    def __init__(self, max_batches):
        self.max_batches = max_batches
        self.batches = []

    async def send(self, batch):
        await asyncio.sleep(0.002)
        if len(self.batches) >= self.max_batches:
            raise ConnectionError(f"metrics sink rejected batch {len(self.batches) + 1}: quota exceeded")  # EXPECT: unretrieved-exception
        self.batches.append(batch)


async def ship_metrics(sink, counters, interval=0.005):
    while True:
        await asyncio.sleep(interval)
        await sink.send(dict(counters))


async def warm_lookup_cache(cache):
    await asyncio.sleep(0.005)
    cache.update({"domains": {"example.com"}})


def validate(record, cache):
    user, _, domain = record["email"].partition("@")
    if not user or domain not in cache["domains"]:
        return "bad email"
    if not 0 < record["age"] < 130:
        return "bad age"
    return None


async def main():
    counters = {"ok": 0, "rejected": 0}
    cache = {}
    await spawn(warm_lookup_cache(cache), "warm-cache")
    spawn(ship_metrics(MetricsSink(max_batches=2), counters), "ship-metrics")
    rejected = []
    for record in RECORDS:
        await asyncio.sleep(0.03)  # one write to the store per record
        problem = validate(record, cache)
        if problem:
            counters["rejected"] += 1
            rejected.append((record["id"], problem))
        else:
            counters["ok"] += 1
    print(f"ingested {counters['ok']} records, rejected {counters['rejected']}")
    for record_id, problem in rejected:
        print(f"  record {record_id}: {problem}")
    return 4 if rejected else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
