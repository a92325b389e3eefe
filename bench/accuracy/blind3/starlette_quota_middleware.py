import logging
import threading
import time

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger("quota")


class QuotaMiddleware(BaseHTTPMiddleware):
    """Per-API-key request quota, persisted in Redis every few seconds.

    Counters are also read by the /metrics exporter thread."""

    def __init__(self, app, redis, limit_per_minute=600, flush_every=5.0):
        super().__init__(app)
        self.redis = redis
        self.limit = limit_per_minute
        self.flush_every = flush_every
        self.counts = {}
        self.window = int(time.time() // 60)
        self.last_flush = time.monotonic()
        self.lock = threading.Lock()

    def snapshot(self):
        with self.lock:
            return dict(self.counts)

    async def _flush(self):
        with self.lock:  # bug: ADC102
            pending = dict(self.counts)
            if pending:
                pipe = self.redis.pipeline()
                for key, count in pending.items():
                    pipe.hset(f"quota:{self.window}", key, count)
                pipe.expire(f"quota:{self.window}", 120)
                await pipe.execute()
            self.last_flush = time.monotonic()

    def _count(self, api_key):
        with self.lock:
            window = int(time.time() // 60)
            if window != self.window:
                self.window = window
                self.counts.clear()
            self.counts[api_key] = self.counts.get(api_key, 0) + 1
            return self.counts[api_key]

    async def dispatch(self, request: Request, call_next):
        api_key = request.headers.get("x-api-key")
        if api_key is None:
            return JSONResponse({"detail": "missing API key"}, status_code=401)
        used = self._count(api_key)
        if used > self.limit:
            return JSONResponse({"detail": "quota exceeded"}, status_code=429, headers={"Retry-After": "60"})
        response = None
        try:
            response = await call_next(request)
            response.headers["X-Quota-Remaining"] = str(self.limit - used)
        finally:
            if time.monotonic() - self.last_flush > self.flush_every:
                try:
                    await self._flush()
                except Exception:
                    log.exception("could not persist quota counters")
            return response  # bug: ADC601
