"""The same downloads, at most twenty at a time (clean).

An ``asyncio.Semaphore`` lets twenty downloads through and makes the rest
wait for a free slot; ``gather`` still collects every result in order.
Choose the limit for the server you talk to.  Run it: the peak is twenty,
whatever the number of paths.
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


async def download(port: int, path: str, limit: asyncio.Semaphore) -> int:
    async with limit:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"{path}\n".encode())
            await writer.drain()
            return int(await reader.readline())
        finally:
            writer.close()
            await writer.wait_closed()


async def download_all(port: int, paths: list[str], limit: int = 20) -> list[int]:
    semaphore = asyncio.Semaphore(limit)
    return await asyncio.gather(*[download(port, p, semaphore) for p in paths])


async def main() -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    async with server:
        paths = [f"/file/{i}" for i in range(500)]
        sizes = await download_all(port, paths)
    print(f"{len(sizes)} files, {PEAK} connections open at the peak")


if __name__ == "__main__":
    asyncio.run(main())
