"""Reads a key from two replicas and keeps whichever answers first."""
import asyncio


class ReplicaDown(Exception):
    pass


class Replica:
    def __init__(self, name: str, delay: float, healthy: bool):
        self.name = name
        self.delay = delay
        self.healthy = healthy

    async def read(self, key: str) -> str:
        await asyncio.sleep(self.delay)
        if not self.healthy:
            raise ReplicaDown(f"{self.name} lost its lease while reading {key}")  # EXPECT: unretrieved-exception
        return f"{key}={self.name}-value"


async def fastest_read(replicas: list[Replica], key: str) -> str:
    tasks = [asyncio.create_task(r.read(key)) for r in replicas]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    return next(iter(done)).result()


async def main():
    replicas = [Replica("eu-1", 0.01, True), Replica("us-1", 0.04, False)]
    value = await fastest_read(replicas, "user:42")
    print("read", value)
    await asyncio.sleep(0.1)  # do other work; the slow replica finishes meanwhile
    print("done")


if __name__ == "__main__":
    asyncio.run(main())
