"""Small LRU cache shared by handlers; one upstream lookup per missing key."""
import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable


class GeoCache:
    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self._data: OrderedDict[str, dict | None] = OrderedDict()
        self._inflight: dict[str, asyncio.Future] = {}
        self._lock = asyncio.Lock()

    async def get_or_fetch(self, key: str, fetch: Callable[[], Awaitable[dict | None]]) -> dict | None:
        async with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            fut = self._inflight.get(key)
            owner = fut is None
            if owner:
                fut = self._inflight[key] = asyncio.get_running_loop().create_future()
        if not owner:
            return await fut
        try:
            value = await fetch()
        except asyncio.CancelledError:
            fut.cancel()
            raise
        except Exception as exc:
            fut.set_exception(exc)
            fut.exception()  # waiters re-raise it; this keeps asyncio from logging it as lost
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(value)
        async with self._lock:
            self._data[key] = value
            while len(self._data) > self.max_items:
                self._data.popitem(last=False)
        return value
