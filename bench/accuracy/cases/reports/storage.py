import json
import shutil
from pathlib import Path


class LocalStore:
    """Keeps rendered reports on the local disk (shared NFS mount in prod)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def save(self, name: str, payload: dict) -> Path:
        target = self.root / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(payload, indent=2, default=str))
        return target

    def archive(self, name: str) -> Path:
        src = self.root / f"{name}.json"
        dst = self.root / "archive" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(src, dst)
        return dst


def render_csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    header = ",".join(rows[0])
    body = "\n".join(",".join(str(v) for v in row.values()) for row in rows)
    return f"{header}\n{body}\n"
