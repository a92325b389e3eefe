"""Tail an application log and ship lines to the collector over TCP.
Also serves a tiny status port for the orchestrator."""
import asyncio
import logging
import os
import sys

log = logging.getLogger("shipper")

COLLECTOR = (os.environ.get("COLLECTOR_HOST", "logs.internal"), 5170)
STATUS_PORT = 9191

stats = {"shipped": 0}


async def tail(path: str, out: asyncio.Queue) -> None:
    fh = await asyncio.to_thread(open, path, "rb")
    try:
        await asyncio.to_thread(fh.seek, 0, os.SEEK_END)
        while True:
            line = await asyncio.to_thread(fh.readline)
            if not line:
                # the file is written by another process: poll it
                await asyncio.sleep(0.5)
                continue
            await out.put(line)
    finally:
        fh.close()


async def ship(lines: asyncio.Queue) -> None:
    reader, writer = await asyncio.open_connection(*COLLECTOR)  # bug: ADC401
    while True:
        line = await lines.get()
        writer.write(line)
        if lines.empty():
            writer.drain()  # bug: ADC201
        stats["shipped"] += 1


async def status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.readline()
        writer.write(f"shipped {stats['shipped']}\n".encode())
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def main(path: str) -> None:
    lines: asyncio.Queue[bytes] = asyncio.Queue(maxsize=10_000)
    server = await asyncio.start_server(status, "127.0.0.1", STATUS_PORT)
    async with server, asyncio.TaskGroup() as tg:
        tg.create_task(tail(path, lines))
        tg.create_task(ship(lines))
        tg.create_task(server.serve_forever())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1]))
