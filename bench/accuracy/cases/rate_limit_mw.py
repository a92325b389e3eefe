"""Per-client rate limiting middleware for the public API (starlette)."""

import time

import redis
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse

WINDOW_SECONDS = 60
MAX_REQUESTS = 120

_redis = redis.Redis.from_url("redis://cache:6379/0", decode_responses=True)


def _bucket_key(client_id: str) -> str:
    window = int(time.time() // WINDOW_SECONDS)
    return f"rl:{client_id}:{window}"


class RateLimitMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        client_id = request.headers.get("x-api-key") or request.client.host
        key = _bucket_key(client_id)
        count = _redis.incr(key)  # bug: ADC101
        if count == 1:
            _redis.expire(key, WINDOW_SECONDS)  # bug: ADC101
        if count > MAX_REQUESTS:
            return JSONResponse({"detail": "rate limit exceeded"}, status_code=429)
        response = await call_next(request)
        response.headers["X-RateLimit-Remaining"] = str(max(0, MAX_REQUESTS - count))
        return response
