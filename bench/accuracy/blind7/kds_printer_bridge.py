"""Bridge between the restaurant's order bus (Redis pub/sub) and the
ESC/POS ticket printers in the kitchen and at the bar.

python-escpos is synchronous; each printer gets a single-thread executor
so its tickets come out in order and never block the loop.
"""
import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

import redis.asyncio as aioredis
from escpos.printer import Network

log = logging.getLogger("printers")

PRINTERS = {"kitchen": "10.1.4.21", "bar": "10.1.4.22", "pastry": "10.1.4.23"}


class PrinterLane:
    def __init__(self, name: str, host: str) -> None:
        self.name = name
        self.host = host
        self.queue: asyncio.Queue[dict] = asyncio.Queue(maxsize=200)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"escpos-{name}")

    def _print(self, ticket: dict) -> None:
        printer = Network(self.host, timeout=5)
        try:
            printer.set(bold=True, double_height=True)
            printer.text(f"#{ticket['number']}  {ticket['table']}\n")
            printer.set(bold=False, double_height=False)
            for line in ticket["lines"]:
                printer.text(f"{line['qty']} x {line['name']}\n")
            printer.cut()
        finally:
            printer.close()

    async def worker(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            ticket = await self.queue.get()
            try:
                await loop.run_in_executor(self.executor, self._print, ticket)
            except OSError as exc:
                log.error("%s printer failed on #%s: %s", self.name, ticket["number"], exc)
            finally:
                self.queue.task_done()


async def route_orders(redis: aioredis.Redis, lanes: dict[str, PrinterLane]) -> None:
    pubsub = redis.pubsub()
    await pubsub.subscribe("orders.fired")
    try:
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            order = json.loads(message["data"])
            for station, lines in order["by_station"].items():
                lane = lanes.get(station)
                if lane is not None:
                    await lane.queue.put({"number": order["number"], "table": order["table"], "lines": lines})
    finally:
        await pubsub.aclose()


async def main() -> None:
    lanes = {name: PrinterLane(name, host) for name, host in PRINTERS.items()}
    redis = aioredis.from_url("redis://pos-hub.lan:6379/0")
    try:
        async with asyncio.TaskGroup() as tg:
            for lane in lanes.values():
                tg.create_task(lane.worker())
            tg.create_task(route_orders(redis, lanes))
    finally:
        await redis.aclose()
        for lane in lanes.values():
            lane.executor.shutdown(wait=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
