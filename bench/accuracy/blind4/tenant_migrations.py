"""Run ordered schema migrations against one database, with a dry-run check on sqlite."""
import asyncio
import logging
import sqlite3
import sys
from pathlib import Path

import asyncpg

log = logging.getLogger("migrations")


def load(folder: Path) -> list[tuple[str, str]]:
    return [(p.stem, p.read_text()) for p in sorted(folder.glob("*.sql"))]


def syntax_check(migrations: list[tuple[str, str]]) -> list[str]:
    """Cheap sanity check of the portable migrations before touching Postgres."""
    bad = []
    db = sqlite3.connect(":memory:")
    try:
        for version, sql in migrations:
            if "-- portable" in sql:
                try:
                    db.executescript(sql)
                except sqlite3.Error:
                    bad.append(version)
    finally:
        db.close()
    return bad


async def apply(dsn: str, migrations: list[tuple[str, str]]) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (v text PRIMARY KEY, at timestamptz DEFAULT now())")
        done = {r["v"] for r in await conn.fetch("SELECT v FROM schema_version")}
        applied = 0
        for version, sql in migrations:  # order matters: each builds on the previous one
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version (v) VALUES ($1)", version)
            log.info("applied %s", version)
            applied += 1
        return applied
    finally:
        await conn.close()


def main() -> int:
    logging.basicConfig(level=logging.INFO)
    dsn = sys.argv[1]
    migrations = load(Path(sys.argv[2] if len(sys.argv) > 2 else "migrations"))
    bad = syntax_check(migrations)
    if bad:
        print("syntax errors in:", ", ".join(bad))
        return 2
    if input(f"apply {len(migrations)} migrations to {dsn}? [y/N] ").lower() != "y":
        return 1
    count = asyncio.run(apply(dsn, migrations))
    print(f"{count} applied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
