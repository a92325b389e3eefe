"""An event ingester on uvloop: a producer parses click events, a consumer aggregates them per page."""
import asyncio
from collections import Counter

import uvloop

RAW_EVENTS = """\
click /home
click /pricing
view /home
click /docs
click /pricing
bogus line
click /home
click /pricing
"""


async def produce(queue, text):
    skipped = 0
    for line in text.splitlines():
        kind, _, page = line.partition(" ")
        if kind not in ("click", "view") or not page.startswith("/"):
            skipped += 1
            continue
        await queue.put((kind, page))
        await asyncio.sleep(0.002)
    return skipped


async def consume(queue, clicks):
    while True:
        kind, page = await queue.get()
        if kind == "click":
            clicks[page] += 1
        queue.task_done()


async def main():
    queue = asyncio.Queue(maxsize=4)
    clicks = Counter()
    consumer = asyncio.create_task(consume(queue, clicks))  # EXPECT: pending-task
    skipped = await produce(queue, RAW_EVENTS)
    await queue.join()
    for page, count in sorted(clicks.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{page}: {count} clicks")
    print("skipped lines:", skipped, "consumer running:", not consumer.done())


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())
