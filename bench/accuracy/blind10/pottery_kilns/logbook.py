"""Firing log (SQLite via aiosqlite), printed monthly for the insurer."""
import aiosqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS firings (
    id INTEGER PRIMARY KEY, kiln TEXT, schedule TEXT, started TEXT DEFAULT CURRENT_TIMESTAMP,
    ended TEXT, status TEXT, final_c REAL);
CREATE TABLE IF NOT EXISTS segments (
    firing_id INTEGER, target_c REAL, actual_c REAL, reached TEXT DEFAULT CURRENT_TIMESTAMP);
"""


async def open_db(path: str) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path)
    await db.executescript(SCHEMA)
    return db


async def open_firing(db: aiosqlite.Connection, kiln: str, schedule: str) -> int:
    cur = await db.execute("INSERT INTO firings (kiln, schedule, status) VALUES (?, ?, 'running')", (kiln, schedule))
    await db.commit()
    return cur.lastrowid


async def segment_reached(db: aiosqlite.Connection, firing_id: int, target: float, actual: float) -> None:
    await db.execute("INSERT INTO segments (firing_id, target_c, actual_c) VALUES (?, ?, ?)", (firing_id, target, actual))
    await db.commit()


async def close_firing(db: aiosqlite.Connection, firing_id: int, status: str, final_c: float | None) -> None:
    await db.execute(
        "UPDATE firings SET ended = CURRENT_TIMESTAMP, status = ?, final_c = ? WHERE id = ?",
        (status, final_c, firing_id),
    )
    await db.commit()
