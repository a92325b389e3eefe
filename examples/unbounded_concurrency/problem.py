"""Starting every request at once (ADC502 unbounded-concurrency).

``download_all`` gathers one coroutine per URL, however many there are.
With a thousand URLs that is a thousand simultaneous connections: the
server rate-limits or bans you, the client runs out of file descriptors or
ports, and memory grows with the list.  Nothing bounds it.  Run it: a small
local server counts the connections open at once, and the peak is the
length of the list.
"""

import asyncio

OPEN = 0
PEAK = 0


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global OPEN, PEAK
    OPEN += 1
    PEAK = max(PEAK, OPEN)
    try:
        path = (await reader.readline()).decode().strip()
        await asyncio.sleep(0.05)  # the server takes its time
        writer.write(f"{len(path)}\n".encode())
        await writer.drain()
    finally:
        OPEN -= 1
        writer.close()
        await writer.wait_closed()


async def download(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"{path}\n".encode())
        await writer.drain()
        return int(await reader.readline())
    finally:
        writer.close()
        await writer.wait_closed()


async def download_all(port: int, paths: list[str]) -> list[int]:
    return await asyncio.gather(*[download(port, p) for p in paths])  # ADC502


async def main() -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    async with server:
        paths = [f"/file/{i}" for i in range(500)]
        sizes = await download_all(port, paths)
    print(f"{len(sizes)} files, {PEAK} connections open at the peak")


if __name__ == "__main__":
    asyncio.run(main())
