"""Thumbnail worker: slow synchronous rendering is moved off the loop with asyncio.to_thread."""
import asyncio
import os
import tempfile
import time


def render_thumbnail(src: str, dst: str, size: int) -> int:
    """A blocking 'image library' call."""
    time.sleep(0.3)
    with open(src, "rb") as fh:
        data = fh.read()
    thumb = data[: size * 4]
    with open(dst, "wb") as fh:
        fh.write(thumb)
    return len(thumb)


class ThumbnailWorker:
    def __init__(self, directory: str):
        self.directory = directory
        self.done: dict[str, int] = {}

    async def handle(self, name: str, size: int):
        src = os.path.join(self.directory, name)
        dst = os.path.join(self.directory, f"thumb-{size}-{name}")
        self.done[name] = await asyncio.to_thread(render_thumbnail, src, dst, size)


async def ticker(stop: asyncio.Event) -> int:
    ticks = 0
    while not stop.is_set():
        await asyncio.sleep(0.02)
        ticks += 1
    return ticks


async def main(directory: str):
    for n, name in enumerate(["a.raw", "b.raw", "c.raw"]):
        with open(os.path.join(directory, name), "wb") as fh:
            fh.write(bytes([n]) * 4096)
    worker = ThumbnailWorker(directory)
    stop = asyncio.Event()
    tick_task = asyncio.create_task(ticker(stop))
    await asyncio.gather(*(worker.handle(name, 64) for name in ["a.raw", "b.raw", "c.raw"]))
    stop.set()
    ticks = await tick_task
    print("thumbnails:", sorted(worker.done.items()))
    print("loop stayed responsive:", ticks > 5)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(tmp))
