"""Mirror wheels for the allow-list (about 2,500 packages) from PyPI into a local index."""
import asyncio
import hashlib
import logging
from pathlib import Path

import aiofiles
import aiohttp

log = logging.getLogger("wheel_mirror")

PYPI_JSON = "https://pypi.org/pypi/{name}/json"
MIRROR = Path("/srv/pypi-mirror/packages")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Mirror:
    def __init__(self, session: aiohttp.ClientSession, downloads: int = 6) -> None:
        self.session = session
        self.slots = asyncio.Semaphore(downloads)

    async def release_files(self, name: str) -> list[dict]:
        async with self.session.get(PYPI_JSON.format(name=name)) as resp:
            if resp.status == 404:
                return []
            data = await resp.json()
        return [f for f in data["urls"] if f["packagetype"] == "bdist_wheel"]

    async def download(self, info: dict, dest: Path) -> None:
        async with self.slots:
            async with self.session.get(info["url"]) as resp:
                resp.raise_for_status()
                async with aiofiles.open(dest, "wb") as fh:
                    async for chunk in resp.content.iter_chunked(1 << 16):
                        await fh.write(chunk)
        if _sha256(dest) != info["digests"]["sha256"]:  # bug: ADC101
            await asyncio.to_thread(dest.unlink)
            raise ValueError(f"checksum mismatch for {dest.name}")

    async def sync_package(self, name: str) -> int:
        folder = MIRROR / name.lower()
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        files = await self.release_files(name)
        missing = await asyncio.to_thread(lambda: [f for f in files if not (folder / f["filename"]).exists()])
        async with asyncio.TaskGroup() as tg:
            for info in missing:
                tg.create_task(self.download(info, folder / info["filename"]))
        return len(missing)


async def main(allow_list: list[str]) -> None:
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        mirror = Mirror(session)
        async with asyncio.TaskGroup() as tg:
            jobs = {name: tg.create_task(mirror.sync_package(name)) for name in allow_list}  # bug: ADC502
    for name, job in jobs.items():
        log.info("%s: %d new wheels", name, job.result())


if __name__ == "__main__":
    names = [line.strip() for line in open("allow-list.txt") if line.strip() and not line.startswith("#")]
    asyncio.run(main(names))
