"""A small leaderboard service: pulls score rows from a source and publishes ranked snapshots."""
import asyncio
from dataclasses import dataclass, field
from operator import itemgetter


@dataclass(frozen=True)
class Snapshot:
    version: int
    size: int
    top: list = field(default_factory=list)

    def describe(self):
        return f"leaderboard v{self.version}: {self.size} players"


class Leaderboard:
    """Ranks players by score (highest first), ties broken by name."""

    def __init__(self, source, top_n=5):
        self._source = source          # async callable returning (name, region, score) rows
        self._top_n = top_n
        self._rows = []
        self._version = 0
        self._lock = asyncio.Lock()
        self.current = None

    async def refresh(self):
        rows = await self._source()
        async with self._lock:
            self._rows = rows
            self.current = await self._publish()
        return self.current

    async def _publish(self):
        self._version += 1
        ranked = await self._rank()
        return Snapshot(self._version, len(ranked), ranked[: self._top_n])

    async def _rank(self):
        ranked = sorted(self._rows, key=itemgetter(2, 0), reverse=True)  # EXPECT: blocking-call
        return ranked

    def region_of(self, name):
        for row in self.current.top:
            if row[0] == name:
                return row[1]
        return None
