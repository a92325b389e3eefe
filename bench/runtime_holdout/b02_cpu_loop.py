import asyncio


def compute_primes(limit):
    return [n for n in range(2, limit) if all(n % d for d in range(2, int(n ** 0.5) + 1))]  # EXPECT: blocking-call


async def report_job(limit):
    primes = compute_primes(limit)
    return len(primes)


async def main():
    n = await report_job(150000)
    print("primes:", n)


if __name__ == "__main__":
    asyncio.run(main())
