"""Search service using the eager task factory; its warm-up task waits for an indexer thread."""
import asyncio
import sys
import threading


class Indexer(threading.Thread):
    def __init__(self):
        super().__init__(name="indexer")
        self.ready = threading.Event()
        self.release = threading.Event()
        self.docs = ["alpha beta", "beta gamma", "gamma delta"]

    def run(self):
        self.release.wait(5)  # the real indexer takes far longer than the warm-up allows
        self.ready.set()


class SearchService:
    def __init__(self, indexer: Indexer):
        self.indexer = indexer
        self.warm = False

    async def warm_up(self):
        self.warm = self.indexer.ready.wait(timeout=0.12)  # EXPECT: blocking-call 120ms
        await asyncio.sleep(0)
        return self.warm

    async def search(self, word: str) -> list[int]:
        await asyncio.sleep(0.005)
        return [i for i, doc in enumerate(self.indexer.docs) if word in doc.split()]


async def main(indexer: Indexer):
    if sys.version_info >= (3, 12):
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    service = SearchService(indexer)
    warm_task = asyncio.create_task(service.warm_up(), name="warm-up")
    print("beta ->", await service.search("beta"))
    print("warm:", await warm_task)
    indexer.release.set()
    await asyncio.to_thread(indexer.join)
    print("gamma ->", await service.search("gamma"))


if __name__ == "__main__":
    idx = Indexer()
    idx.start()
    asyncio.run(main(idx))
