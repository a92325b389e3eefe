"""Upload service: stores an incoming artefact, then verifies its checksum."""
import asyncio
import hashlib
import tempfile
from pathlib import Path

CHUNK = bytes(range(256)) * 256  # 64 KiB


def write_artefact(path: Path, megabytes: int) -> None:
    with open(path, "wb") as fh:
        for _ in range(megabytes * 16):
            fh.write(CHUNK)


class ArtefactStore:
    def __init__(self, root: Path):
        self.root = root
        self.index: dict[str, str] = {}

    async def receive(self, name: str, megabytes: int) -> Path:
        path = self.root / name
        await asyncio.to_thread(write_artefact, path, megabytes)  # done right
        return path

    async def verify(self, path: Path) -> str:
        await asyncio.sleep(0.01)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()  # EXPECT: blocking-call
        self.index[path.name] = digest
        return digest


async def main():
    with tempfile.TemporaryDirectory() as tmp:
        store = ArtefactStore(Path(tmp))
        path = await store.receive("release.tar", 200)
        size = path.stat().st_size
        digest = await store.verify(path)
        print("stored", path.name, size // (1 << 20), "MiB")
        print("sha256", digest[:16])
        print("indexed", sorted(store.index))


if __name__ == "__main__":
    asyncio.run(main())
