"""Export the day's HL7 ORU results for the regional lab registry.

    python hl7_batch_export.py export.toml 2026-12-01

Reads the results with a server-side cursor, writes one batch file per
1,000 messages and marks them exported in the same transaction, in order.
"""
import asyncio
import datetime as dt
import logging
import sys
import tomllib
from pathlib import Path

import asyncpg

log = logging.getLogger("hl7-export")

BATCH = 1000


def load_config(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def write_batch(out_dir: Path, day: dt.date, number: int, messages: list[str]) -> Path:
    path = out_dir / f"ORU_{day:%Y%m%d}_{number:04d}.hl7"
    header = f"FHS|^~\\&|LIS|HOSP|REGISTRY|REGION|{day:%Y%m%d}\r"
    trailer = f"FTS|{len(messages)}\r"
    path.write_text(header + "".join(messages) + trailer, encoding="utf-8")
    return path


async def export(cfg: dict, day: dt.date) -> int:
    out_dir = Path(cfg["out_dir"])
    conn = await asyncpg.connect(cfg["dsn"])
    total = 0
    try:
        async with conn.transaction():
            cursor = await conn.cursor(
                "SELECT id, raw FROM hl7_messages WHERE type = 'ORU^R01' AND received::date = $1 "
                "AND exported_at IS NULL ORDER BY received, id",
                day,
            )
            number = 0
            while rows := await cursor.fetch(BATCH):
                number += 1
                path = await asyncio.to_thread(write_batch, out_dir, day, number, [r["raw"] for r in rows])
                await conn.executemany(
                    "UPDATE hl7_messages SET exported_at = now(), export_file = $2 WHERE id = $1",
                    [(r["id"], path.name) for r in rows],
                )
                total += len(rows)
                log.info("batch %d: %d messages -> %s", number, len(rows), path)
    finally:
        await conn.close()
    return total


def main(argv: list[str]) -> int:
    cfg = load_config(argv[0])
    day = dt.date.fromisoformat(argv[1]) if len(argv) > 1 else dt.date.today() - dt.timedelta(days=1)
    Path(cfg["out_dir"]).mkdir(parents=True, exist_ok=True)
    count = asyncio.run(export(cfg, day))
    print(f"exported {count} messages for {day}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main(sys.argv[1:]))
