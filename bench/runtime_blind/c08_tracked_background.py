"""Background tasks kept in a set and checked by a done-callback that logs their errors."""
import asyncio


class Background:
    def __init__(self):
        self.tasks: set[asyncio.Task] = set()
        self.errors: list[str] = []
        self.results: list[str] = []

    def spawn(self, coro, name: str):
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task):
        self.tasks.discard(task)
        if task.cancelled():
            self.errors.append(f"{task.get_name()}: cancelled")
        elif task.exception() is not None:
            self.errors.append(f"{task.get_name()}: {task.exception()!r}")
        else:
            self.results.append(f"{task.get_name()}: {task.result()}")

    async def drain(self):
        while self.tasks:
            await asyncio.wait(set(self.tasks))


async def send_email(to: str) -> str:
    await asyncio.sleep(0.01)
    if "@" not in to:
        raise ValueError(f"bad address {to!r}")
    return f"sent to {to}"


async def main():
    bg = Background()
    for n, to in enumerate(["a@example.org", "nobody", "c@example.org"]):
        bg.spawn(send_email(to), name=f"email-{n}")
    await bg.drain()
    for line in sorted(bg.results):
        print(line)
    for line in bg.errors:
        print("error", line)


if __name__ == "__main__":
    asyncio.run(main())
