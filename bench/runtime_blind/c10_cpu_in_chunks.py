"""Prime sieve report computed in many short chunks so the loop keeps serving requests."""
import asyncio


def primes_in(lo: int, hi: int) -> list[int]:
    return [n for n in range(max(lo, 2), hi) if all(n % d for d in range(2, int(n ** 0.5) + 1))]


async def count_primes(limit: int, chunk: int) -> int:
    total = 0
    for lo in range(0, limit, chunk):
        total += len(primes_in(lo, min(lo + chunk, limit)))
        await asyncio.sleep(0)  # let other tasks run between chunks
    return total


async def serve_health(stop: asyncio.Event) -> int:
    answered = 0
    while not stop.is_set():
        await asyncio.sleep(0.01)
        answered += 1
    return answered


async def main():
    stop = asyncio.Event()
    health = asyncio.create_task(serve_health(stop))
    count = await count_primes(300_000, chunk=1_000)
    stop.set()
    answered = await health
    print("primes below 300000:", count)
    print("health checks answered:", answered > 10)


if __name__ == "__main__":
    asyncio.run(main())
