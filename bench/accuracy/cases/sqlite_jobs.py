"""A tiny persistent job queue for the ingest worker, backed by SQLite."""

import asyncio
import json
import logging
import sqlite3

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
)
"""


class JobStore:
    def __init__(self, path="jobs.db"):
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._conn.execute(SCHEMA)
        self._conn.commit()

    def enqueue(self, kind, payload):
        self._conn.execute(
            "INSERT INTO jobs (kind, payload) VALUES (?, ?)", (kind, json.dumps(payload))
        )
        self._conn.commit()

    async def next_batch(self, limit=50):
        rows = self._conn.execute(  # bug: ADC101
            "SELECT id, kind, payload FROM jobs WHERE done = 0 ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
        return [(row[0], row[1], json.loads(row[2])) for row in rows]

    async def mark_done(self, job_ids):
        await asyncio.to_thread(self._mark_done_sync, list(job_ids))

    def _mark_done_sync(self, job_ids):
        self._conn.executemany("UPDATE jobs SET done = 1 WHERE id = ?", [(i,) for i in job_ids])
        self._conn.commit()


def handle_batch(batch):
    for job_id, kind, payload in batch:
        log.info("processing job %s (%s): %s", job_id, kind, payload)


async def run_worker(store: JobStore, idle_delay=2.0):
    while True:
        batch = await store.next_batch()
        if not batch:
            await asyncio.sleep(idle_delay)
            continue
        handle_batch(batch)
        await store.mark_done(job_id for job_id, _, _ in batch)


if __name__ == "__main__":
    store = JobStore()
    store.enqueue("ping", {"hello": "world"})
    asyncio.run(run_worker(store))
