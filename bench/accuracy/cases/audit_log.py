import asyncio
import logging
from datetime import datetime, timezone

import aiofiles

from app.db import pool

logger = logging.getLogger(__name__)


async def write_audit(actor: str, action: str, target: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO audit (actor, action, target, at) VALUES ($1, $2, $3, $4)",
            actor,
            action,
            target,
            datetime.now(timezone.utc),
        )


def audit(actor: str, action: str, target: str) -> None:
    """Record an audit entry without slowing the request down."""
    asyncio.ensure_future(write_audit(actor, action, target))  # bug: ADC301


async def export_audit(path: str, since: datetime) -> int:
    out = await aiofiles.open(path, "w")  # bug: ADC401
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM audit WHERE at >= $1 ORDER BY at", since)
    await out.write("\n".join(f"{r['at']}\t{r['actor']}\t{r['action']}" for r in rows))
    return len(rows)


async def delete_project(user, project_id: int) -> None:
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM projects WHERE id = $1", project_id)
    audit(user.name, "project.delete", str(project_id))


async def rename_project(user, project_id: int, name: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute("UPDATE projects SET name = $1 WHERE id = $2", name, project_id)
    await write_audit(user.name, "project.rename", f"{project_id}:{name}")
