"""The results database on the timing laptop (SQLite, fsync on every commit)."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple


class Passing(NamedTuple):
    chip: str
    mat: str
    at_ms: int
    leader: bool


def open_db(path: Path | str) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS passings"
        " (race TEXT, chip TEXT, mat TEXT, at_ms INTEGER, PRIMARY KEY (race, chip, mat))"
    )
    return db


def store_passing(db: sqlite3.Connection, race_id: str, p: Passing) -> None:
    with db:
        db.execute(
            "INSERT OR IGNORE INTO passings VALUES (?, ?, ?, ?)", (race_id, p.chip, p.mat, p.at_ms)
        )


def finish_times(db: sqlite3.Connection, race_id: str) -> list[tuple[str, int]]:
    cur = db.execute(
        "SELECT chip, at_ms FROM passings WHERE race = ? AND mat = 'FINISH' ORDER BY at_ms",
        (race_id,),
    )
    return cur.fetchall()
