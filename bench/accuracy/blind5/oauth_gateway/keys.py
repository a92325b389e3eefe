"""Cookie-signing keys: the current one signs, the previous ones still verify."""
import asyncio
import pathlib
import secrets
import time

import aiofiles


class KeyRing:
    def __init__(self, key_dir: str, keep: int = 3) -> None:
        self.dir = pathlib.Path(key_dir)
        self.keep = keep
        self.keys: list[bytes] = []

    def _read_newest(self) -> list[bytes]:
        paths = sorted(self.dir.glob("*.key"))[-self.keep:]
        return [p.read_bytes() for p in reversed(paths)]

    async def load(self) -> None:
        self.keys = await asyncio.to_thread(self._read_newest)

    async def rotate(self) -> None:
        key = secrets.token_bytes(32)
        name = f"{time.time_ns()}.key"
        async with aiofiles.open(self.dir / name, "wb") as f:
            await f.write(key)
        self.keys = [key, *self.keys][: self.keep]

    def rotate_sync(self) -> None:
        """For the `gateway rotate-keys` cron command."""
        asyncio.run(self.rotate())

    @property
    def current(self) -> bytes:
        return self.keys[0]
