"""python -m accounts.manage sync_ldap"""

import asyncio
import sys

import asyncpg

from accounts.ldap_sync import fetch_directory
from accounts.validation import display_name, normalize_username


async def store(users, dsn):
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO accounts (username, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [(normalize_username(u["uid"]), display_name(u["givenName"], u["sn"])) for u in users],
            )
    finally:
        await conn.close()


def sync_ldap(dsn):
    users = fetch_directory()
    asyncio.run(store(users, dsn))
    print(f"synced {len(users)} users")


if __name__ == "__main__":
    if sys.argv[1:2] == ["sync_ldap"]:
        sync_ldap(sys.argv[2])
