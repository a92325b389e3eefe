#!/usr/bin/env python3
"""Backfill the `search_documents` table for every tenant listed in a CSV file."""
from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import sys
from pathlib import Path

import asyncpg

log = logging.getLogger("backfill")

BACKFILL_SQL = """
INSERT INTO search_documents (tenant_id, doc_id, body)
SELECT tenant_id, id, title || ' ' || coalesce(description, '')
FROM products WHERE tenant_id = $1
ON CONFLICT (tenant_id, doc_id) DO UPDATE SET body = excluded.body
"""


def read_tenants(path: Path) -> list[int]:
    with path.open(newline="") as fh:
        return [int(row["tenant_id"]) for row in csv.DictReader(fh)]


async def backfill_tenant(pool: asyncpg.Pool, tenant_id: int) -> int:
    async with pool.acquire() as conn:
        status = await conn.execute(BACKFILL_SQL, tenant_id)
    count = int(status.split()[-1])
    log.info("tenant %s: %d documents", tenant_id, count)
    return count


async def run(dsn: str, tenants: list[int], parallel: int) -> int:
    async with asyncpg.create_pool(dsn, min_size=1, max_size=parallel) as pool:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(backfill_tenant(pool, t)) for t in tenants]
    return sum(t.result() for t in tasks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dsn")
    parser.add_argument("tenants_csv", type=Path)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    tenants = read_tenants(args.tenants_csv)
    if not tenants:
        log.error("no tenants in %s", args.tenants_csv)
        return 1
    total = asyncio.run(run(args.dsn, tenants, args.parallel))
    log.info("backfilled %d documents for %d tenants", total, len(tenants))
    return 0


if __name__ == "__main__":
    sys.exit(main())
