"""Mirrors container images listed in a lock file into the internal registry."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

log = logging.getLogger("mirror")

REGISTRY_LIMIT = asyncio.Semaphore(4)


@dataclass(frozen=True)
class Image:
    source: str
    target: str


class Mirror:
    def __init__(self, images: list[Image], pulls: int = 6) -> None:
        self.images = images
        self._pull_slots = asyncio.Semaphore(pulls)
        self.failed: list[Image] = []

    async def _skopeo(self, *args: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            "skopeo", *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        _, err = await proc.communicate()
        if proc.returncode:
            log.warning("skopeo %s: %s", args[0], err.decode(errors="replace").strip())
        return proc.returncode

    async def copy(self, image: Image) -> bool:
        async with self._pull_slots, REGISTRY_LIMIT:
            rc = await self._skopeo("copy", "--all", f"docker://{image.source}", f"docker://{image.target}")
        if rc:
            self.failed.append(image)
        return rc == 0

    async def run(self) -> int:
        results = await asyncio.gather(*(self.copy(img) for img in self.images))
        return sum(results)

    async def verify(self, images: list[Image], parallel: int = 10) -> list[Image]:
        sem = asyncio.Semaphore(parallel)
        missing: list[Image] = []

        async def check(image: Image) -> None:
            async with sem:
                if await self._skopeo("inspect", "--raw", f"docker://{image.target}"):
                    missing.append(image)

        async with asyncio.TaskGroup() as tg:
            for image in images:
                tg.create_task(check(image))
        return missing
