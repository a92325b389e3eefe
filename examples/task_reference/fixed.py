"""Background tasks kept in a set until they finish (clean).

This is the pattern the asyncio documentation recommends for
fire-and-forget work: hold a strong reference to each task, drop it in a
done-callback that also reports the task's exception, and wait for what is
still running at shutdown instead of sleeping and hoping.  (When the work
must finish before the caller goes on, use an ``asyncio.TaskGroup``.)
"""

import asyncio

USERS: list[str] = []
SENT: list[str] = []
BACKGROUND_TASKS: set[asyncio.Task[None]] = set()


async def send_welcome_email(address: str) -> None:
    await asyncio.sleep(0.1)  # stands in for the mail server
    if not address.endswith("@example.com"):
        raise ValueError(f"cannot deliver to {address}")
    SENT.append(address)


def _finished(task: asyncio.Task[None]) -> None:
    BACKGROUND_TASKS.discard(task)
    if not task.cancelled() and task.exception() is not None:
        print(f"welcome e-mail failed: {task.exception()}")


async def register(address: str) -> None:
    USERS.append(address)
    task = asyncio.create_task(send_welcome_email(address))
    BACKGROUND_TASKS.add(task)
    task.add_done_callback(_finished)


async def main() -> None:
    await register("ana@example.com")
    await register("bo@typo.exmaple")
    if BACKGROUND_TASKS:
        await asyncio.wait(BACKGROUND_TASKS)  # shutdown: let them finish
    print("registered:", USERS)
    print("welcomed:", SENT)


if __name__ == "__main__":
    asyncio.run(main())
