"""Send a scheduled web-push campaign to every opted-in subscriber."""
import asyncio
import json
import logging
from functools import partial

import asyncpg
from pywebpush import WebPushException, webpush

log = logging.getLogger("campaign")

VAPID_KEY = "/etc/push/vapid_private.pem"
CLAIMS = {"sub": "mailto:growth@example.org"}
PAGE = 1000


class Campaign:
    def __init__(self, pool: asyncpg.Pool, campaign_id: int, concurrency: int = 32) -> None:
        self.pool = pool
        self.campaign_id = campaign_id
        self.limit = asyncio.Semaphore(concurrency)
        self.gone: list[str] = []

    async def send(self, sub: asyncpg.Record, payload: str) -> bool:
        info = {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}}
        call = partial(webpush, info, payload, vapid_private_key=VAPID_KEY, vapid_claims=dict(CLAIMS), ttl=86400)
        async with self.limit:
            try:
                await asyncio.to_thread(call)
                return True
            except WebPushException as exc:
                if exc.response is not None and exc.response.status_code in (404, 410):
                    self.gone.append(sub["endpoint"])
                return False

    async def pages(self):
        last_id = 0
        while True:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT id, endpoint, p256dh, auth FROM subscriptions"
                    " WHERE opted_in AND id > $1 ORDER BY id LIMIT $2", last_id, PAGE)
            if not rows:
                return
            yield rows
            last_id = rows[-1]["id"]

    async def run(self) -> int:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT title, body, url FROM campaigns WHERE id = $1", self.campaign_id)
        payload = json.dumps(dict(row))
        sent = 0
        async for rows in self.pages():
            results = await asyncio.gather(*(self.send(r, payload) for r in rows))
            sent += sum(results)
        if self.gone:
            async with self.pool.acquire() as conn:
                await conn.execute("DELETE FROM subscriptions WHERE endpoint = ANY($1::text[])", self.gone)
        return sent


async def main(campaign_id: int) -> None:
    async with asyncpg.create_pool("postgresql://push@db/push", max_size=4) as pool:
        sent = await Campaign(pool, campaign_id).run()
    log.info("campaign %s: %d notifications sent", campaign_id, sent)


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(int(sys.argv[1])))
