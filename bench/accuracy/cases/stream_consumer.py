"""Redis stream consumer with careful shutdown handling."""

import asyncio
import contextlib
import logging

from redis.asyncio import Redis

log = logging.getLogger(__name__)


class StreamConsumer:
    def __init__(self, redis: Redis, stream: str, group: str, name: str) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.name = name
        self._task: asyncio.Task | None = None
        self._heartbeat: asyncio.Task | None = None

    async def _handle(self, msg_id: bytes, fields: dict) -> None:
        log.debug("handling %s: %s", msg_id, fields)
        await self.redis.xack(self.stream, self.group, msg_id)

    async def _consume(self) -> None:
        while True:
            try:
                batches = await self.redis.xreadgroup(
                    self.group, self.name, {self.stream: ">"}, count=50, block=5000
                )
            except asyncio.CancelledError:
                log.info("consumer %s cancelled while waiting", self.name)
                raise
            except Exception:
                log.exception("xreadgroup failed; backing off")
                await asyncio.sleep(1)
                continue
            for _stream, messages in batches:
                # messages of one stream are acknowledged in order
                for msg_id, fields in messages:
                    await self._handle(msg_id, fields)

    async def _beat(self) -> None:
        try:
            while True:
                await self.redis.set(f"consumer:{self.name}:alive", 1, ex=15)
                await asyncio.sleep(5)
        except BaseException:
            log.info("heartbeat for %s stopping", self.name)
            raise

    def start(self) -> None:
        self._task = asyncio.create_task(self._consume())
        self._heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        for task in (self._task, self._heartbeat):
            if task is None:
                continue
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = self._heartbeat = None


def parse_entry(raw: bytes) -> dict:
    try:
        key, _, value = raw.decode().partition("=")
        return {key: value}
    except:  # noqa: E722 - sync parsing helper, no awaits here
        return {}
