"""Cron-like task runner whose synchronous steps are short (60-80 ms, under the 100 ms threshold)."""
import asyncio
import time


class Step:
    def __init__(self, name: str, seconds: float):
        self.name = name
        self.seconds = seconds

    def run(self) -> str:
        time.sleep(self.seconds)  # a quick synchronous call, acceptable here
        return f"{self.name}: ok"


async def run_plan(steps: list[Step]) -> list[str]:
    log = []
    for step in steps:
        await asyncio.sleep(0.01)
        log.append(step.run())
    return log


async def watchdog(results: list[str]):
    for _ in range(3):
        await asyncio.sleep(0.05)
        results.append("tick")


async def main():
    plan = [Step("rotate-logs", 0.06), Step("vacuum", 0.08), Step("reindex", 0.07)]
    ticks: list[str] = []
    log, _ = await asyncio.gather(run_plan(plan), watchdog(ticks))
    for line in log:
        print(line)
    print("watchdog ticks:", len(ticks))


if __name__ == "__main__":
    asyncio.run(main())
