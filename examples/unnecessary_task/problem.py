"""Tasks that are awaited the moment they are created (ADC302 unnecessary-task).

``await asyncio.create_task(coro())`` schedules a task and then waits for
it straight away: the result is exactly ``await coro()``, plus the cost of a
task and a trip through the event loop.  It often hides a misunderstanding:
the author hoped the two fetches would run at the same time, but each
``await`` finishes before the next task is even created.  Run it: the page
takes 0.2s, the sum of both fetches.
"""

import asyncio
import time


async def fetch_user(user_id: int) -> dict[str, object]:
    await asyncio.sleep(0.1)  # stands in for a database query
    return {"id": user_id, "name": "Ana"}


async def fetch_orders(user_id: int) -> list[int]:
    await asyncio.sleep(0.1)  # stands in for another service
    return [1001, 1002]


async def profile_page(user_id: int) -> str:
    user = await asyncio.create_task(fetch_user(user_id))  # ADC302
    orders = await asyncio.create_task(fetch_orders(user_id))  # ADC302
    return f"{user['name']}: {len(orders)} orders"


async def main() -> None:
    start = time.perf_counter()
    print(await profile_page(7))
    print(f"took {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    asyncio.run(main())
