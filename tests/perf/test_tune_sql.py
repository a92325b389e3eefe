"""``asyncdoctor tune sql`` against the real PostgreSQL on this machine (127.0.0.1:5432, db test).

The workload has a knee we know: a PL/pgSQL function, created by the test in
a schema of its own, takes one of K advisory transaction locks (it tries keys
1..K with ``pg_try_advisory_xact_lock`` and, when none is free, sleeps 2 ms and
tries again), then holds it for ``pg_sleep(hold)``.  At most K calls run at
once, so the capacity is K / hold calls per second, reached at concurrency K;
past it the extra calls wait.  The lock is released when the statement's
transaction ends.  The lock keys live in a random namespace (the first key of
the two-key form), so concurrent runs do not share slots.

Skipped when the server is not reachable (or asyncpg is not installed).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncdoctor.cli._main import main

from ._knee import check_the_knee_is_real, check_the_recommendation

asyncpg: Any = pytest.importorskip("asyncpg")

USERS = ("postgres", "root")
FAST = ["--duration", "0.4", "--warmup", "0.1", "--min-samples", "40", "--no-adaptive"]
KNEE = [
    "--duration", "0.5", "--warmup", "0.1", "--min-samples", "30", "--max-duration", "1.5",
    "--no-adaptive",
]  # fmt: skip

FUNCTION = """
CREATE FUNCTION {schema}.slot(ns int, k int, hold float8) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
    LOOP
        FOR i IN 1..k LOOP
            IF pg_try_advisory_xact_lock(ns, i) THEN
                PERFORM pg_sleep(hold);
                RETURN i;
            END IF;
        END LOOP;
        PERFORM pg_sleep(0.002);
    END LOOP;
END
$$
"""


async def _try_connect() -> str | None:
    for user in USERS:
        dsn = f"postgresql://{user}@127.0.0.1:5432/test"
        try:
            connection = await asyncpg.connect(dsn, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            continue
        await connection.close()
        return dsn
    return None


async def _execute(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def dsn() -> str:
    found = asyncio.run(_try_connect())
    if found is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (db test)")
    return found


@pytest.fixture(scope="module")
def schema(dsn: str) -> Iterator[str]:
    name = f"asyncdoctor_tune_{os.getpid()}_{random.randrange(10**6)}"
    asyncio.run(_execute(dsn, f"CREATE SCHEMA {name}", FUNCTION.format(schema=name)))
    try:
        yield name
    finally:
        asyncio.run(_execute(dsn, f"DROP SCHEMA {name} CASCADE"))


def _tune(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["tune", "sql", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_recommends_the_knee_of_a_query_with_k_slots(
    dsn: str, schema: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Robust by design on a busy machine: the slots are sleeps, so the knee is K whatever
    # the CPUs do; 100 ms is long next to what a loaded machine adds to a call (10 ms at
    # a load of 7 on 2 cores) and next to the 2 ms a freed slot may wait for the next
    # poll (an overhead only levels past the knee hide); and the tolerance widens by the
    # overhead the sweep measured (see _knee.py).  Levels stop at 16: at 32 callers for 6
    # slots that are taken by polling, some callers wait a second for their first call and
    # a short level's window holds fewer calls than callers, too few to measure a rate
    slots, hold = 6, 0.1  # capacity 60 calls/s at concurrency 6
    report = tmp_path / "sql.json"
    namespace = random.randrange(1, 2**30)
    code, out, err = _tune(
        capsys, "--dsn", dsn, "--query", f"SELECT {schema}.slot($1, $2, $3)",
        "--args", json.dumps([namespace, slots, hold]), "--max-concurrency", "16",
        "--json", str(report), *KNEE,
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(report.read_text())
    by_level = {row["level"]: row for row in data["levels"]}
    assert all(row["errors"] == 0 for row in data["levels"])
    check_the_recommendation(data, slots, hold, out)
    check_the_knee_is_real(by_level, slots, hold)
    assert "'SELECT" in err.splitlines()[0]  # "tuning 'SELECT ...' on postgresql://..."


@pytest.mark.parametrize(
    ("dsn_text", "query", "needle"),
    [
        ("postgresql://postgres@127.0.0.1:1/test", "SELECT 1", "cannot connect to PostgreSQL"),
        ("mysql://127.0.0.1/test", "SELECT 1", "is not a PostgreSQL DSN"),
        ("postgresql://postgres@127.0.0.1:5432/test?sslmode=bogus", "SELECT 1", "cannot connect"),
        ("{dsn}", "SELEC 1", "the query failed on postgresql://"),
        ("{dsn}", "SELECT * FROM no_such_table_xyz", 'relation "no_such_table_xyz"'),
        ("{dsn}", "SELECT $1::int", "the query failed"),  # a parameter missing
    ],
)
def test_bad_dsn_server_or_query_is_one_line(
    dsn: str, dsn_text: str, query: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _tune(capsys, "--dsn", dsn_text.format(dsn=dsn), "--query", query, *FAST)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("asyncdoctor: "), err
    assert needle in lines[0], err


@pytest.mark.parametrize(
    ("args", "needle"), [("[1", "not valid JSON"), ('{"a": 1}', "must be a JSON list")]
)
def test_bad_query_arguments(
    dsn: str, args: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _tune(capsys, "--dsn", dsn, "--query", "SELECT $1", "--args", args)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err


def test_the_password_is_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _tune(
        capsys, "--dsn", "postgresql://me:s3cret@127.0.0.1:1/test", "--query", "SELECT 1"
    )
    assert code == 2 and "s3cret" not in err and "me:***@" in err, err
