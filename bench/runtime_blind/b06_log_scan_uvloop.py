"""Log triage tool: scans a service log for errors per worker (uvloop runner)."""
import asyncio
import re
from collections import Counter

import uvloop

ERROR_LINE = re.compile(r"^(\S+) ERROR (worker-\d+) .* id=(\d+)", re.M)


def make_log(lines: int) -> str:
    return "\n".join(
        f"2026-12-06T10:{i % 60:02d}:{(i * 7) % 60:02d} {'ERROR' if i % 97 == 0 else 'INFO'} "
        f"worker-{i % 8} request id={i} took {i % 500}ms"
        for i in range(lines)
    )


class Triage:
    def __init__(self, text: str):
        self.text = text

    async def errors_by_worker(self) -> Counter:
        await asyncio.sleep(0.01)
        matches = ERROR_LINE.findall(self.text)  # EXPECT: blocking-call
        return Counter(worker for _, worker, _ in matches)


async def main(text: str):
    triage = Triage(text)
    counts = await triage.errors_by_worker()
    for worker in sorted(counts):
        print(worker, counts[worker])
    print("total", sum(counts.values()))


if __name__ == "__main__":
    log_text = make_log(400_000)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main(log_text))
