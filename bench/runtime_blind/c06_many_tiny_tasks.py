"""Event fan-out: thousands of tiny tasks, created in bounded batches and all awaited."""
import asyncio
import hashlib


async def handle_event(event_id: int) -> int:
    await asyncio.sleep(0)
    return event_id % 7


async def process_batch(ids: range) -> int:
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(handle_event(i)) for i in ids]
    return sum(t.result() for t in tasks)


async def main():
    total = 0
    batches = 0
    for start in range(0, 10_000, 250):
        total += await process_batch(range(start, start + 250))
        batches += 1
    print("batches:", batches)
    print("checksum:", total)
    print("digest:", hashlib.md5(str(total).encode()).hexdigest()[:8])


if __name__ == "__main__":
    asyncio.run(main())
