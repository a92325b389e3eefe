"""How steady is `asyncdoctor tune sql`'s recommendation?  Run it N times on a query whose
knee is known by design and print each run's recommendation and throughput per level.

The query (the one ``tests/perf/test_tune_sql.py`` uses) takes one of K PostgreSQL advisory
locks by polling, then holds it ``hold`` seconds: at most K calls run at once, so the knee
is K whatever the machine.  Short levels (the test's settings) show the measurement noise.

    python bench/tune_repeat.py 12                       # K=6, 100 ms, the test's settings
    python bench/tune_repeat.py 12 --dsn postgresql://postgres@127.0.0.1:5432/test

Needs asyncpg and a PostgreSQL server; writes nothing but a schema it drops at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.perf.test_tune_sql import FUNCTION, _execute  # the test's own query

SETTINGS = ["--duration", "0.5", "--warmup", "0.1", "--min-samples", "30", "--max-duration", "1.5",
            "--no-adaptive"]  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", type=int, nargs="?", default=12)
    ap.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--slots", type=int, default=6)
    ap.add_argument("--hold", type=float, default=0.1)
    args = ap.parse_args()
    schema = f"asyncdoctor_tune_repeat_{os.getpid()}"
    asyncio.run(_execute(args.dsn, f"CREATE SCHEMA {schema}", FUNCTION.format(schema=schema)))
    chosen: collections.Counter[int | None] = collections.Counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                report = Path(tmp) / f"run{run}.json"
                namespace = random.randrange(1, 2**30)
                subprocess.run(
                    [sys.executable, "-m", "asyncdoctor", "tune", "sql", "--dsn", args.dsn,
                     "--query", f"SELECT {schema}.slot($1, $2, $3)",
                     "--args", json.dumps([namespace, args.slots, args.hold]),
                     "--max-concurrency", "16", "--json", str(report), *SETTINGS],
                    capture_output=True, check=True,
                )  # fmt: skip
                data = json.loads(report.read_text())
                chosen[data["recommended"]] += 1
                levels = " ".join(f"{r['level']}:{r['throughput']:.1f}" for r in data["levels"])
                print(f"run {run + 1}: recommended {data['recommended']}  (calls/s by level: {levels})",
                      flush=True)
    finally:
        asyncio.run(_execute(args.dsn, f"DROP SCHEMA {schema} CASCADE"))
    knee = args.slots
    within = sum(n for level, n in chosen.items() if level is not None and abs(level - knee) <= 0.2 * knee)
    print(f"recommended: {dict(chosen)}; within 20% of the knee ({knee}): {within}/{args.runs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
