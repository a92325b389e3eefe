"""Open-road tolling for the Severnmouth toll bridge.

The gantry cameras' SDK hands plate reads over on its own thread. Reads are
matched to prepaid accounts and debited; unmatched crossings get an evidence
image uploaded for the penalty-charge team. Debits for one account are
serialised so that two quick crossings never overdraw it.
"""
import asyncio
import concurrent.futures
import io
import logging
import os
import threading
from collections import defaultdict
from datetime import datetime

import asyncpg
import httpx
from PIL import Image

from gantrycam import GantrySDK

log = logging.getLogger("severnmouth")
EVIDENCE = "https://evidence.severnmouth-crossing.example/api/images"
TOLL_PENCE = {"car": 350, "van": 520, "hgv": 1180}


def encode_evidence(raw: bytes, width: int, height: int) -> bytes:
    image = Image.frombytes("L", (width, height), raw)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


class Tolling:
    def __init__(self, pool: asyncpg.Pool, http: httpx.AsyncClient) -> None:
        self.pool = pool
        self.http = http
        self.account_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.stats_lock = threading.Lock()
        self.stats = {"reads": 0, "debited": 0, "unmatched": 0}

    def count(self, key: str) -> None:
        with self.stats_lock:
            self.stats[key] += 1

    def snapshot(self) -> dict:
        with self.stats_lock:
            return dict(self.stats)

    async def debit(self, account_id: int, plate: str, vehicle_class: str, at: datetime) -> None:
        async with self.account_locks[account_id]:
            async with self.pool.acquire() as conn, conn.transaction():
                balance = await conn.fetchval("SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", account_id)
                toll = TOLL_PENCE[vehicle_class]
                await conn.execute("UPDATE accounts SET balance = $2 WHERE id = $1", account_id, balance - toll)
                await conn.execute(
                    "INSERT INTO crossings (account_id, plate, at, pence) VALUES ($1, $2, $3, $4)",
                    account_id, plate, at, toll,
                )

    async def unmatched(self, read: dict) -> None:
        loop = asyncio.get_running_loop()
        jpeg = await loop.run_in_executor(None, encode_evidence, read["image"], read["width"], read["height"])
        files = {"image": (f"{read['plate']}.jpg", jpeg, "image/jpeg")}
        resp = await self.http.post(EVIDENCE, data={"plate": read["plate"], "at": read["at"].isoformat()}, files=files)
        resp.raise_for_status()

    async def handle(self, read: dict) -> None:
        self.count("reads")
        try:
            account_id = await self.pool.fetchval(
                "SELECT account_id FROM plates WHERE plate = $1 AND active", read["plate"]
            )
            if account_id is None:
                self.count("unmatched")
                await self.unmatched(read)
            else:
                await self.debit(account_id, read["plate"], read["class"], read["at"])
                self.count("debited")
        except Exception:
            log.exception("crossing of %s at %s not processed", read["plate"], read["at"])


def _log_failure(future: concurrent.futures.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("crossing handler crashed: %r", future.exception())


def on_read(loop: asyncio.AbstractEventLoop, tolling: Tolling, read: dict) -> None:
    """Runs on the SDK's thread."""
    future = asyncio.run_coroutine_threadsafe(tolling.handle(read), loop)
    future.add_done_callback(_log_failure)


async def report(tolling: Tolling) -> None:
    while True:
        await asyncio.sleep(300)
        log.info("last counts: %s", tolling.snapshot())


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["SEVERNMOUTH_DSN"], max_size=16)
    sdk = GantrySDK(os.environ["GANTRY_HOST"])
    try:
        async with httpx.AsyncClient(timeout=20, headers={"X-Api-Key": os.environ["EVIDENCE_KEY"]}) as http:
            tolling = Tolling(pool, http)
            loop = asyncio.get_running_loop()
            sdk.on_plate = lambda read: on_read(loop, tolling, read)
            await asyncio.to_thread(sdk.start)
            await report(tolling)
    finally:
        await asyncio.to_thread(sdk.stop)
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
