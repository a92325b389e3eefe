"""Await coroutines directly; use a TaskGroup when they should overlap (clean).

``user_name`` needs one result: it simply awaits the coroutine.
``profile_page`` needs two independent results: it starts both in an
``asyncio.TaskGroup``, which waits for both (and cancels the other if one
fails).  Run it: the page takes 0.1s, the longer of the two fetches.
"""

import asyncio
import time


async def fetch_user(user_id: int) -> dict[str, object]:
    await asyncio.sleep(0.1)  # stands in for a database query
    return {"id": user_id, "name": "Ana"}


async def fetch_orders(user_id: int) -> list[int]:
    await asyncio.sleep(0.1)  # stands in for another service
    return [1001, 1002]


async def user_name(user_id: int) -> str:
    user = await fetch_user(user_id)
    return str(user["name"])


async def profile_page(user_id: int) -> str:
    async with asyncio.TaskGroup() as tg:
        user = tg.create_task(fetch_user(user_id))
        orders = tg.create_task(fetch_orders(user_id))
    return f"{user.result()['name']}: {len(orders.result())} orders"


async def main() -> None:
    start = time.perf_counter()
    print(await profile_page(7))
    print(f"took {time.perf_counter() - start:.1f}s")
    print("name only:", await user_name(7))


if __name__ == "__main__":
    asyncio.run(main())
