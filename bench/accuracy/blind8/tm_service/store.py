"""TM segments in Postgres with pg_trgm similarity."""
from __future__ import annotations

import asyncpg

LOOKUP_SQL = """
SELECT id, target, similarity(source, $3) AS score
FROM segments
WHERE src_lang = $1 AND tgt_lang = $2 AND source % $3
ORDER BY score DESC
LIMIT 1
"""


async def lookup(pool: asyncpg.Pool, src: str, tgt: str, text: str) -> asyncpg.Record | None:
    return await pool.fetchrow(LOOKUP_SQL, src, tgt, text)


async def bump_usage(pool: asyncpg.Pool, segment_ids: list[int]) -> None:
    await pool.execute(
        "UPDATE segments SET uses = uses + 1, last_used = now() WHERE id = ANY($1::bigint[])", segment_ids)


async def add_segments(pool: asyncpg.Pool, src: str, tgt: str, pairs: list[tuple[str, str]]) -> None:
    await pool.executemany(
        "INSERT INTO segments (src_lang, tgt_lang, source, target) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT DO NOTHING",
        [(src, tgt, s, t) for s, t in pairs],
    )
