import asyncio
import random

random.seed(1)
SCORES = [random.random() for _ in range(1_000_000)]


async def leaderboard():
    await asyncio.sleep(0)
    ranked = sorted(SCORES, reverse=True)  # EXPECT: blocking-call
    return ranked[:3]


async def main():
    top = await leaderboard()
    print("top3 computed:", len(top))


asyncio.run(main())
