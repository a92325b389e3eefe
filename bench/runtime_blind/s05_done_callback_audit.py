"""Job scheduler that audits every finished job from a done-callback."""
import asyncio


class Auditor:
    def __init__(self):
        self.lines: list[str] = []

    async def log(self, line: str):
        await asyncio.sleep(0.001)
        self.lines.append(line)


class Scheduler:
    def __init__(self, auditor: Auditor):
        self.auditor = auditor
        self.tasks: list[asyncio.Task] = []

    async def on_finished(self, task: asyncio.Task):
        await self.auditor.log(f"{task.get_name()} -> {task.result()}")

    def submit(self, name: str, coro):
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(lambda t: self.on_finished(t))  # EXPECT: never-awaited
        self.tasks.append(task)
        return task


async def resize(width: int) -> str:
    await asyncio.sleep(0.01)
    return f"{width}px"


async def main():
    auditor = Auditor()
    scheduler = Scheduler(auditor)
    scheduler.submit("resize-thumb", resize(128))
    results = await asyncio.gather(*scheduler.tasks)
    await asyncio.sleep(0.02)
    print("results:", results)
    print("audit lines:", auditor.lines)


if __name__ == "__main__":
    asyncio.run(main())
