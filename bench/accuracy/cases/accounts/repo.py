from __future__ import annotations

import asyncpg


class AccountRepo:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def exists(self, username: str) -> bool:
        return bool(await self.pool.fetchval("SELECT 1 FROM accounts WHERE username = $1", username))

    async def create(self, username: str, name: str) -> int:
        return await self.pool.fetchval(
            "INSERT INTO accounts (username, name) VALUES ($1, $2) RETURNING id", username, name
        )

    async def get(self, username: str) -> dict | None:
        row = await self.pool.fetchrow("SELECT * FROM accounts WHERE username = $1", username)
        return dict(row) if row else None


_repo: AccountRepo | None = None


def init_repo(pool: asyncpg.Pool) -> None:
    global _repo
    _repo = AccountRepo(pool)


def get_repo() -> AccountRepo:
    assert _repo is not None, "init_repo() was not called"
    return _repo
