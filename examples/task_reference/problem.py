"""A task started and forgotten (ADC301 task-reference).

``register`` starts the welcome e-mail with ``asyncio.create_task`` and
drops the task.  The event loop keeps only a *weak* reference to running
tasks, so an unreferenced task can be garbage-collected before it finishes;
and since nobody holds it, nobody ever sees its exception.  Run it: the
failed e-mail surfaces only as "Task exception was never retrieved" when the
task happens to be collected, and ``main`` has to guess how long to wait.
"""

import asyncio

USERS: list[str] = []
SENT: list[str] = []


async def send_welcome_email(address: str) -> None:
    await asyncio.sleep(0.1)  # stands in for the mail server
    if not address.endswith("@example.com"):
        raise ValueError(f"cannot deliver to {address}")
    SENT.append(address)


async def register(address: str) -> None:
    USERS.append(address)
    asyncio.create_task(send_welcome_email(address))  # ADC301: the task is dropped


async def main() -> None:
    await register("ana@example.com")
    await register("bo@typo.exmaple")
    await asyncio.sleep(0.3)  # and hope the e-mails are done by now
    print("registered:", USERS)
    print("welcomed:", SENT)


if __name__ == "__main__":
    asyncio.run(main())
