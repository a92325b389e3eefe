"""Applies pending SQL migrations to one tenant database.

    python tenant_migrate.py postgresql://... migrations/
"""

import asyncio
import logging
import sys
from pathlib import Path

import asyncpg

log = logging.getLogger("migrate")


def load_migrations(folder):
    return sorted((p.name, p.read_text()) for p in Path(folder).glob("*.sql"))


async def applied(conn):
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, at timestamptz DEFAULT now())"
    )
    return {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}


async def migrate(dsn, migrations):
    conn = await asyncpg.connect(dsn)  # bug: ADC401
    done = await applied(conn)
    count = 0
    # order matters: each migration builds on the previous ones
    for name, sql in migrations:
        if name in done:
            continue
        async with conn.transaction():
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
        log.info("applied %s", name)
        count += 1
    return count


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    n = asyncio.run(migrate(sys.argv[1], load_migrations(sys.argv[2])))
    print(f"{n} migration(s) applied")
