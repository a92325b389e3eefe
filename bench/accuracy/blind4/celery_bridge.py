"""Celery tasks that call into the new asyncio services.

Each Celery task invocation runs one event loop for the whole batch it was given.
The long-lived websocket pusher runs on its own loop in a background thread.
"""
import asyncio
import logging
import threading

import httpx
from celery import shared_task

log = logging.getLogger(__name__)

_push_loop = asyncio.new_event_loop()
_push_thread: threading.Thread | None = None
_start_lock = threading.Lock()


def _ensure_push_loop() -> asyncio.AbstractEventLoop:
    global _push_thread
    with _start_lock:
        if _push_thread is None:
            _push_thread = threading.Thread(target=_push_loop.run_forever, name="push-loop", daemon=True)
            _push_thread.start()
    return _push_loop


async def _push(user_id: int, message: str) -> None:
    async with httpx.AsyncClient(base_url="http://push:8000") as c:
        await c.post("/push", json={"user": user_id, "msg": message})


async def _sync_batch(ids: list[int]) -> int:
    limits = asyncio.Semaphore(10)
    async with httpx.AsyncClient(base_url="http://catalog:8000", timeout=10) as c:

        async def one(i: int) -> bool:
            async with limits:
                r = await c.post(f"/items/{i}/reindex")
                return r.status_code == 202

        results = await asyncio.gather(*(one(i) for i in ids))
    return sum(results)


@shared_task(name="catalog.reindex_batch")
def reindex_batch(ids):
    ok = asyncio.run(_sync_batch(list(ids)))
    log.info("reindexed %d/%d", ok, len(ids))
    return ok


@shared_task(name="notify.push")
def push(user_id, message):
    loop = _ensure_push_loop()
    fut = asyncio.run_coroutine_threadsafe(_push(user_id, message), loop)
    fut.result(timeout=30)
