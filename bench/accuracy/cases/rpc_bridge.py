"""Lets the legacy threaded RPC server call into the asyncio services."""

import asyncio
import logging
import threading
from concurrent.futures import Future

log = logging.getLogger(__name__)


class AsyncBridge:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, coro) -> Future:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro, timeout: float = 30.0):
        # runs in an RPC worker thread, never on the loop
        return self.submit(coro).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


async def lookup_user(user_id: int) -> dict:
    await asyncio.sleep(0.01)
    return {"id": user_id}


async def lookup_orders(user_id: int) -> list:
    await asyncio.sleep(0.01)
    return []


def build_jobs(user_id: int):
    """Returns coroutines for the caller to await or schedule."""
    return [lookup_user(user_id), lookup_orders(user_id)]


async def user_with_orders(user_id: int) -> dict:
    jobs = build_jobs(user_id)
    user, orders = await asyncio.gather(*jobs)
    return {**user, "orders": orders}


async def user_fast(user_id: int) -> dict:
    coro = lookup_user(user_id)
    return await asyncio.wait_for(coro, timeout=2)


async def user_shielded(user_id: int) -> dict:
    return await asyncio.shield(lookup_user(user_id))


def rpc_get_user(bridge: AsyncBridge, user_id: int) -> dict:
    return bridge.call(user_with_orders(user_id))
