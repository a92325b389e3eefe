"""Trade tick buffering: ticks arrive out of order from several feeds and are persisted in time order."""
import asyncio
from operator import itemgetter


class TickBuffer:
    def __init__(self, sink, max_pending=1_000_000):
        self._sink = sink              # async callable taking a list of (symbol, ts, price) tuples
        self._ticks = []
        self._max_pending = max_pending
        self.flushes = 0

    def __len__(self):
        return len(self._ticks)

    def add_many(self, ticks):
        if len(self._ticks) + len(ticks) > self._max_pending:
            raise OverflowError("tick buffer full")
        self._ticks.extend(ticks)

    async def flush(self):
        if not self._ticks:
            return 0
        await self._compact()
        batch, self._ticks = self._ticks, []
        await self._sink(batch)
        self.flushes += 1
        return len(batch)

    async def _compact(self):
        # order by timestamp, then symbol, so the sink can append without seeking
        self._ticks.sort(key=itemgetter(1, 0))  # EXPECT: blocking-call
        await asyncio.sleep(0)
