import asyncio
import logging

import aiofiles

log = logging.getLogger(__name__)


async def follow(path: str, poll: float = 0.5):
    """Yields lines appended to a log file, like `tail -f`."""
    async with aiofiles.open(path, mode="r") as fh:
        await fh.seek(0, 2)
        while True:
            line = await fh.readline()
            if line:
                yield line.rstrip("\n")
            else:
                await asyncio.sleep(poll)


async def forward(path: str, host: str, port: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        async for line in follow(path):
            writer.write(line.encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def copy_log(src: str, dst: str) -> int:
    total = 0
    async with aiofiles.open(src, "rb") as fin, aiofiles.open(dst, "wb") as fout:
        while chunk := await fin.read(1 << 16):
            await fout.write(chunk)
            total += len(chunk)
    return total
