"""Collect trade ticks from three simulated feeds, then flush them in time order to a store."""
import asyncio

from helper_ticks import TickBuffer

SYMBOLS = ("ACME", "GLOBX", "INITECH")
PER_FEED = 110_000


async def feed(symbol, buffer, batch=5_000):
    offset = SYMBOLS.index(symbol) * 7
    for start in range(0, PER_FEED, batch):
        await asyncio.sleep(0.001)  # network read
        buffer.add_many([
            (symbol, 1_700_000_000_000 + ((i * 104_729 + offset) % 1_000_003), 100 + (i % 500) / 100)
            for i in range(start, start + batch)
        ])


class Store:
    """In-memory stand-in for the tick store; keeps what it was given until the process ends."""

    def __init__(self):
        self.batches = []

    async def append(self, batch):
        await asyncio.sleep(0.005)
        self.batches.append(batch)

    def summary(self):
        rows = sum(len(b) for b in self.batches)
        return rows, self.batches[0][0], self.batches[-1][-1]


async def main(store):
    buffer = TickBuffer(store.append)
    await asyncio.gather(*(feed(symbol, buffer) for symbol in SYMBOLS))
    print("buffered", len(buffer))
    flushed = await buffer.flush()
    print("flushed", flushed, "in", buffer.flushes, "flush")


if __name__ == "__main__":
    store = Store()
    asyncio.run(main(store))
    rows, first, last = store.summary()
    print("stored", rows)
    print("first", first)
    print("last", last)
