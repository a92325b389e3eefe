"""Request counter that schedules its metric flush with loop.call_soon."""
import asyncio


class MetricsSink:
    def __init__(self):
        self.received: list[dict] = []

    async def send(self, payload: dict):
        await asyncio.sleep(0.001)
        self.received.append(payload)


class RequestCounter:
    def __init__(self, sink: MetricsSink, flush_every: int):
        self.sink = sink
        self.flush_every = flush_every
        self.counts: dict[str, int] = {}
        self.total = 0

    async def flush(self):
        snapshot, self.counts = self.counts, {}
        await self.sink.send(snapshot)

    def hit(self, route: str):
        loop = asyncio.get_running_loop()
        self.counts[route] = self.counts.get(route, 0) + 1
        self.total += 1
        if self.total % self.flush_every == 0:
            loop.call_soon(self.flush())  # EXPECT: never-awaited


async def serve(counter: RequestCounter, routes: list[str]):
    for route in routes:
        await asyncio.sleep(0.002)
        counter.hit(route)


async def main():
    sink = MetricsSink()
    counter = RequestCounter(sink, flush_every=5)
    await serve(counter, ["/", "/a", "/", "/b", "/", "/a", "/c"])
    await asyncio.sleep(0.02)
    print("total hits:", counter.total)
    print("flushed batches:", len(sink.received))
    print("unflushed:", sorted(counter.counts.items()))


if __name__ == "__main__":
    asyncio.run(main())
