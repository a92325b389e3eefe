"""Field station uploader: glacier time-lapse frames to object storage over a satellite link."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from pathlib import Path

import aioboto3
from PIL import Image
from watchfiles import Change, awatch

log = logging.getLogger("timelapse")
INBOX = Path("/data/camera/inbox")
BUCKET = "glacier-timelapse"
MAX_PARALLEL = 2  # the BGAN terminal has ~400 kbit/s up


def make_preview(path: Path) -> tuple[bytes, str]:
    with Image.open(path) as img:
        img.thumbnail((1280, 1280))
        out = path.with_suffix(".preview.jpg")
        img.save(out, "JPEG", quality=70)
    data = out.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


class Uploader:
    def __init__(self) -> None:
        self.limit = asyncio.Semaphore(MAX_PARALLEL)
        self.inflight: set[asyncio.Task] = set()
        self.stack = contextlib.AsyncExitStack()
        self.s3 = None

    async def __aenter__(self) -> "Uploader":
        session = aioboto3.Session()
        self.s3 = await self.stack.enter_async_context(
            session.client("s3", endpoint_url="https://objects.polar-institute.example")
        )
        return self

    async def __aexit__(self, *exc) -> None:
        if self.inflight:
            await asyncio.gather(*self.inflight, return_exceptions=True)
        await self.stack.aclose()

    async def upload(self, path: Path) -> None:
        async with self.limit:
            data, digest = await asyncio.to_thread(make_preview, path)
            key = f"{path.parent.name}/{path.stem}.jpg"
            for attempt in range(6):
                try:
                    await self.s3.put_object(Bucket=BUCKET, Key=key, Body=data, Metadata={"sha256": digest})
                    break
                except Exception:
                    log.warning("upload of %s failed (try %d)", key, attempt + 1)
                    await asyncio.sleep(20 * (attempt + 1))
            else:
                log.error("leaving %s for the next pass", key)
                return
            await asyncio.to_thread(path.rename, path.with_suffix(".sent"))

    def schedule(self, path: Path) -> None:
        task = asyncio.create_task(self.upload(path))
        self.inflight.add(task)
        task.add_done_callback(self.inflight.discard)

    async def watch(self) -> None:
        # frames written by the camera daemon (another process): watch the directory
        async for changes in awatch(INBOX, recursive=False, step=2000):
            for change, name in changes:
                if change is Change.added and name.endswith(".jpg") and ".preview" not in name:
                    self.schedule(Path(name))


async def main() -> None:
    backlog = await asyncio.to_thread(lambda: sorted(INBOX.glob("*.jpg")))
    async with Uploader() as up:
        for path in backlog:
            if ".preview" not in path.name:
                up.schedule(path)
        await up.watch()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
