import asyncpg


async def fetch_book(pool: asyncpg.Pool, book_id: int) -> dict | None:
    row = await pool.fetchrow("SELECT id, title, author_id FROM books WHERE id = $1", book_id)
    return dict(row) if row else None


async def authors_by_ids(pool: asyncpg.Pool, ids: list[int]) -> list[dict | None]:
    rows = await pool.fetch("SELECT id, name FROM authors WHERE id = ANY($1::int[])", ids)
    by_id = {r["id"]: dict(r) for r in rows}
    return [by_id.get(i) for i in ids]
