"""After the race: replays the decoders' own log files for mats whose live link dropped."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from . import reader, results, splits


async def replay(race_id: str, passings: list[results.Passing]) -> int:
    async with aiohttp.ClientSession(base_url=splits.TRACKING) as session:
        return await splits.publish_batch(session, race_id, passings)


def main(argv: list[str]) -> int:
    race_id, folder = argv[1], Path(argv[2])
    db = results.open_db(folder / "results.sqlite")
    for log_path in sorted(folder.glob("mat-*.log")):
        mat = log_path.stem.removeprefix("mat-").upper()
        lines = log_path.read_text().splitlines()
        passings = [p._replace(mat=mat) for p in map(reader.parse, lines) if p]
        for p in passings:
            results.store_passing(db, race_id, p)
        accepted = asyncio.run(replay(race_id, passings))  # bug: ADC505
        print(f"{log_path.name}: {len(passings)} passings, {accepted} new on the live site")
    for chip, at_ms in results.finish_times(db, race_id)[:10]:
        print(f"{chip}  {at_ms / 1000:.1f} s")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
