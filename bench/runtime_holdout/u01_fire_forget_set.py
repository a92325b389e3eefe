import asyncio

background_tasks = set()


async def push_metrics(value):
    await asyncio.sleep(0.01)
    if value < 0:
        raise ValueError(f"negative metric {value}")  # EXPECT: unretrieved-exception


async def main():
    for v in (1, -1, 2):
        task = asyncio.create_task(push_metrics(v))
        background_tasks.add(task)
        task.add_done_callback(background_tasks.discard)
    await asyncio.sleep(0.1)
    print("main done")


asyncio.run(main())
