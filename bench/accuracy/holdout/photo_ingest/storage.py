import os
from pathlib import Path


class LocalBackend:
    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def write(self, key: str, data: bytes) -> str:
        path = self.root / key[:2] / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return str(path)


class Storage:
    def __init__(self, backend: LocalBackend) -> None:
        self.backend = backend

    @classmethod
    def from_env(cls) -> "Storage":
        return cls(LocalBackend(os.environ.get("PHOTO_ROOT", "/srv/photos")))
