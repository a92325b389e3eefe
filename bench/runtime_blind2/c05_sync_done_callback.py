"""Sync three partner catalogues in background tasks; failures are picked up by a done callback. Exits 4 on failure."""
import asyncio
import sys

CATALOGUES = {
    "north": ["n-1", "n-2", "n-3"],
    "south": ["s-1", "s-2"],
    "west": None,  # the partner's feed is down
}


class FeedUnavailable(Exception):
    pass


async def sync_partner(name):
    await asyncio.sleep(0.01 * len(name))
    items = CATALOGUES[name]
    if items is None:
        raise FeedUnavailable(f"{name}: feed returned 503")
    return len(items)


class SyncMonitor:
    def __init__(self):
        self.synced = {}
        self.failures = []
        self.finished = asyncio.Event()
        self._running = 0

    def watch(self, name, task):
        self._running += 1
        task.add_done_callback(lambda t: self._on_done(name, t))

    def _on_done(self, name, task):
        exc = task.exception()
        if exc is not None:
            self.failures.append(f"{type(exc).__name__}: {exc}")
        else:
            self.synced[name] = task.result()
        self._running -= 1
        if self._running == 0:
            self.finished.set()


async def main():
    monitor = SyncMonitor()
    for name in CATALOGUES:
        monitor.watch(name, asyncio.create_task(sync_partner(name)))
    await monitor.finished.wait()
    for name in sorted(monitor.synced):
        print(f"{name}: {monitor.synced[name]} items")
    for failure in monitor.failures:
        print("failed:", failure)
    return 4 if monitor.failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
