"""Prometheus exporter for Celery/RQ queue depth stored in Redis."""
import asyncio
import logging
import signal
import threading

import redis.asyncio as aioredis
from prometheus_client import Gauge, start_http_server

log = logging.getLogger("queue_exporter")

QUEUES = ("default", "emails", "reports", "webhooks")
DEPTH = Gauge("queue_depth", "Messages waiting", ["queue"])
OLDEST = Gauge("queue_oldest_age_seconds", "Age of the oldest message", ["queue"])
SCRAPES = Gauge("queue_exporter_scrapes_total", "Completed scrape cycles")

_counter_lock = threading.Lock()
_scrapes = 0


async def depth(redis: aioredis.Redis, queue: str) -> tuple[str, int, float]:
    pipe = redis.pipeline(transaction=False)
    pipe.llen(queue)
    pipe.lindex(queue, -1)
    pipe.time()
    length, tail, (now_s, _us) = await pipe.execute()
    age = 0.0
    if tail and b'"eta_ts":' in tail:
        age = max(0.0, now_s - float(tail.split(b'"eta_ts":', 1)[1].split(b",", 1)[0]))
    return queue, length, age


async def scrape(redis: aioredis.Redis) -> None:
    global _scrapes
    results = await asyncio.gather(*(depth(redis, q) for q in QUEUES))
    for queue, length, age in results:
        DEPTH.labels(queue).set(length)
        OLDEST.labels(queue).set(age)
    with _counter_lock:
        _scrapes += 1
        SCRAPES.set(_scrapes)


async def run(interval: float = 10.0) -> None:
    redis = aioredis.from_url("redis://redis:6379/0", socket_timeout=5)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        while not stop.is_set():
            try:
                await scrape(redis)
            except aioredis.RedisError as exc:
                log.warning("scrape failed: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
    except asyncio.CancelledError:
        log.info("exporter cancelled")
        raise
    finally:
        await redis.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    start_http_server(9808)
    asyncio.run(run())
