"""Apply SQL migrations to every tenant database.

usage: migrate.py [--dry-run] TENANTS_FILE
"""
import argparse
import asyncio
import logging
from pathlib import Path

import asyncpg
import psycopg2

log = logging.getLogger("migrate")
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def load_migrations() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text()) for p in sorted(MIGRATIONS_DIR.glob("*.sql"))]


async def applied_versions(conn: asyncpg.Connection) -> set[str]:
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (v text PRIMARY KEY)")
    return {r["v"] for r in await conn.fetch("SELECT v FROM schema_version")}


async def migrate_tenant(dsn: str, migrations: list[tuple[str, str]], dry_run: bool) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        done = await applied_versions(conn)
        count = 0
        for version, sql in migrations:
            if version in done:
                continue
            if dry_run:
                log.info("%s: would apply %s", dsn, version)
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version VALUES ($1)", version)
            count += 1
        return count
    finally:
        await conn.close()


async def check_replica_lag(primary_dsn: str) -> None:
    pg = psycopg2.connect(primary_dsn)  # bug: ADC101
    try:
        with pg.cursor() as cur:
            cur.execute("SELECT max(replay_lag) FROM pg_stat_replication")
            log.info("replica lag before migrating: %s", cur.fetchone()[0])
    finally:
        pg.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("tenants_file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    tenants = [line.strip() for line in open(args.tenants_file) if line.strip()]
    migrations = load_migrations()
    asyncio.run(check_replica_lag(tenants[0]))
    total = 0
    for dsn in tenants:
        total += asyncio.run(migrate_tenant(dsn, migrations, args.dry_run))  # bug: ADC505
    log.info("applied %d migrations over %d tenants", total, len(tenants))


if __name__ == "__main__":
    main()
