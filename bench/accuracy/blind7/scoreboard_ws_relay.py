"""Relay live scores from the league's feed SDK to stadium scoreboards.

The vendor SDK is synchronous: it runs its own thread and calls
`on_update` for every change. Scoreboards connect over websockets.
"""
import asyncio
import json
import logging
import os
import signal

import redis.asyncio as aioredis
import websockets
from leaguefeed import FeedClient  # vendor SDK, thread-based

log = logging.getLogger("scoreboard")


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("publish failed: %s", future.exception())


class Relay:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.boards: set = set()
        self.latest: dict[str, dict] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.archive_tasks: set[asyncio.Task] = set()

    async def publish(self, update: dict) -> None:
        self.latest[update["match_id"]] = update
        websockets.broadcast(self.boards, json.dumps(update))
        task = asyncio.create_task(self.archive(update))
        self.archive_tasks.add(task)
        task.add_done_callback(self.archive_tasks.discard)

    async def archive(self, update: dict) -> None:
        await self.redis.xadd("scores:archive", {"json": json.dumps(update)}, maxlen=100_000)

    def on_update(self, update: dict) -> None:
        """Called by the SDK from its own thread."""
        future = asyncio.run_coroutine_threadsafe(self.publish(update), self.loop)
        future.add_done_callback(_log_failure)

    async def board_handler(self, ws) -> None:
        self.boards.add(ws)
        try:
            for update in list(self.latest.values()):
                await ws.send(json.dumps(update))
            await ws.wait_closed()
        except asyncio.CancelledError:
            log.info("board %s dropped during shutdown", ws.remote_address)
            raise
        finally:
            self.boards.discard(ws)


async def main() -> None:
    redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    relay = Relay(redis)
    relay.loop = asyncio.get_running_loop()
    feed = FeedClient(api_key=os.environ["LEAGUE_API_KEY"], on_update=relay.on_update)
    stop = asyncio.Event()
    relay.loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with websockets.serve(relay.board_handler, "0.0.0.0", 8765):
        await asyncio.to_thread(feed.start)
        try:
            await stop.wait()
        finally:
            await asyncio.to_thread(feed.stop)
            if relay.archive_tasks:
                await asyncio.gather(*relay.archive_tasks, return_exceptions=True)
            await redis.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
