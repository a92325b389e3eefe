import asyncio
import sqlite3


class Database:
    def __init__(self, path=":memory:"):
        self.path = path
        self.conn = None

    async def __aenter__(self):
        self.conn = sqlite3.connect(self.path)
        # warm-up query run synchronously on the loop
        self.conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3000000) SELECT count(*) FROM c").fetchone()  # EXPECT: blocking-call
        return self

    async def __aexit__(self, *exc):
        self.conn.close()


async def main():
    async with Database() as db:
        row = db.conn.execute("SELECT 41 + 1").fetchone()
    print("answer", row[0])


asyncio.run(main())
