"""Metrics registry shared between a flusher thread and async request handlers."""
import asyncio
import threading


class Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.counters: dict[str, int] = {}
        self.dropped = 0

    def incr(self, name: str) -> bool:
        if not self.lock.acquire(timeout=0.12):  # EXPECT: blocking-call 120ms
            self.dropped += 1
            return False
        try:
            self.counters[name] = self.counters.get(name, 0) + 1
            return True
        finally:
            self.lock.release()


class Flusher(threading.Thread):
    """Holds the registry lock while it 'ships' the counters to a slow backend."""

    def __init__(self, registry: Registry):
        super().__init__(name="flusher")
        self.registry = registry
        self.holding = threading.Event()
        self.done = threading.Event()

    def run(self):
        with self.registry.lock:
            self.holding.set()
            self.done.wait(5)


async def handle(registry: Registry, path: str) -> str:
    await asyncio.sleep(0.01)
    counted = registry.incr(f"hits{path}")
    return f"{path} counted={counted}"


async def main(registry: Registry, flusher: Flusher):
    print(await handle(registry, "/home"))
    flusher.start()
    await asyncio.to_thread(flusher.holding.wait, 5)
    print(await handle(registry, "/cart"))
    flusher.done.set()
    await asyncio.to_thread(flusher.join)
    print(await handle(registry, "/home"))
    print("counters", sorted(registry.counters.items()), "dropped", registry.dropped)


if __name__ == "__main__":
    reg = Registry()
    asyncio.run(main(reg, Flusher(reg)))
