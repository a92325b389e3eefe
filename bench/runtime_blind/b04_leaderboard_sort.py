"""Game leaderboard service: answers rank queries over a large score table."""
import asyncio
import random
from operator import itemgetter


class Leaderboard:
    def __init__(self, scores: list[tuple[str, int]]):
        self.scores = scores
        self.version = 0

    def submit(self, player: str, score: int):
        self.scores.append((player, score))
        self.version += 1

    async def top(self, n: int) -> list[tuple[str, int]]:
        await asyncio.sleep(0)
        ranked = sorted(self.scores, key=itemgetter(1), reverse=True)  # EXPECT: blocking-call
        return ranked[:n]


async def handle_request(board: Leaderboard, kind: str, arg):
    if kind == "submit":
        board.submit(*arg)
        return "ok"
    if kind == "top":
        return await board.top(arg)
    return "unknown"


async def main(board: Leaderboard):
    requests = [
        ("submit", ("zed", 1_000_500)),
        ("submit", ("amy", 999_990)),
        ("noop", None),
        ("top", 3),
    ]
    for kind, arg in requests:
        result = await handle_request(board, kind, arg)
        print(kind, result)
    print("version", board.version)


if __name__ == "__main__":
    rng = random.Random(2026)
    table = [(f"p{i:06d}", rng.randrange(1_000_000)) for i in range(800_000)]
    asyncio.run(main(Leaderboard(table)))
