"""Evidence intake and chain of custody for the digital forensics lab (Litestar)."""
import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import aiofiles
import asyncpg
from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException

EVIDENCE_ROOT = Path("/mnt/evidence")
CHUNK = 8 * 1024 * 1024


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Intake:
    case_no: str
    exhibit_ref: str
    image_name: str
    officer: str
    declared_sha256: str


async def provide_pool(state: State) -> asyncpg.Pool:
    return state.pool


async def audit(pool: asyncpg.Pool, exhibit_ref: str, action: str, actor: str, detail: str = "") -> None:
    await pool.execute(
        "insert into custody_log (exhibit_ref, action, actor, detail, at) values ($1, $2, $3, $4, now())",
        exhibit_ref, action, actor, detail,
    )


async def on_startup(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["CUSTODY_DSN"], max_size=8)
    app.state.audit_tasks = set()


async def on_shutdown(app: Litestar) -> None:
    await asyncio.gather(*app.state.audit_tasks, return_exceptions=True)
    await app.state.pool.close()


@post("/exhibits")
async def intake(data: Intake, pool: asyncpg.Pool) -> dict:
    path = EVIDENCE_ROOT / data.case_no / data.image_name
    if not await asyncio.to_thread(path.is_file):
        raise NotFoundException(f"{path} not on the evidence share")
    actual = _sha256_file(path)  # bug: ADC101
    if actual != data.declared_sha256.lower():
        await audit(pool, data.exhibit_ref, "hash-mismatch", data.officer, actual)
        raise ValidationException("SHA-256 does not match the acquisition log")
    await pool.execute(
        "insert into exhibits (exhibit_ref, case_no, path, sha256, received_by) values ($1, $2, $3, $4, $5)",
        data.exhibit_ref, data.case_no, str(path), actual, data.officer,
    )
    asyncio.ensure_future(audit(pool, data.exhibit_ref, "intake", data.officer, actual))  # bug: ADC301
    return {"exhibit": data.exhibit_ref, "sha256": actual}


@post("/exhibits/{exhibit_ref:str}/verify")
async def verify(exhibit_ref: str, pool: asyncpg.Pool, state: State) -> dict:
    row = await pool.fetchrow("select path, sha256 from exhibits where exhibit_ref = $1", exhibit_ref)
    if row is None:
        raise NotFoundException(exhibit_ref)
    actual = await asyncio.to_thread(_sha256_file, Path(row["path"]))
    intact = actual == row["sha256"]
    task = asyncio.create_task(audit(pool, exhibit_ref, "verify", "integrity-check", "ok" if intact else actual))
    state.audit_tasks.add(task)
    task.add_done_callback(state.audit_tasks.discard)
    return {"exhibit": exhibit_ref, "intact": intact}


@post("/exhibits/{exhibit_ref:str}/notes")
async def add_note(exhibit_ref: str, data: dict, pool: asyncpg.Pool) -> dict:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    async with aiofiles.open(EVIDENCE_ROOT / "notes" / f"{exhibit_ref}.log", "a") as fh:
        await fh.write(f"{stamp} {data['examiner']}: {data['text']}\n")
    await audit(pool, exhibit_ref, "note", data["examiner"])
    return {"exhibit": exhibit_ref, "noted_at": stamp}


@get("/exhibits/{exhibit_ref:str}/custody")
async def custody(exhibit_ref: str, pool: asyncpg.Pool) -> list[dict]:
    rows = await pool.fetch(
        "select action, actor, detail, at from custody_log where exhibit_ref = $1 order by at", exhibit_ref
    )
    return [dict(r) for r in rows]


app = Litestar(
    route_handlers=[intake, verify, add_note, custody],
    on_startup=[on_startup],
    on_shutdown=[on_shutdown],
    dependencies={"pool": Provide(provide_pool)},
)
