"""taskiq worker: transcribes new podcast episodes and publishes show notes."""
from __future__ import annotations

import asyncio
import logging
import os
import uuid

import aiofiles
import httpx
import redis.asyncio as aioredis
import whisper
from taskiq import TaskiqEvents, TaskiqState
from taskiq_redis import ListQueueBroker

log = logging.getLogger("transcribe")
broker = ListQueueBroker(os.environ.get("BROKER_URL", "redis://redis:6379/0"))


class Transcriber:
    def __init__(self) -> None:
        self.model = whisper.load_model("medium.en", device="cpu")
        self.redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://redis:6379/1"))
        self.http = httpx.AsyncClient(timeout=120, follow_redirects=True)

    def _run_model(self, path: str) -> list[dict]:
        result = self.model.transcribe(path, fp16=False, condition_on_previous_text=False)
        return [{"start": s["start"], "end": s["end"], "text": s["text"]} for s in result["segments"]]

    async def download(self, url: str) -> str:
        path = f"/scratch/{uuid.uuid4().hex}.mp3"
        async with self.http.stream("GET", url) as resp:
            resp.raise_for_status()
            async with aiofiles.open(path, "wb") as fh:
                async for chunk in resp.aiter_bytes(1 << 16):
                    await fh.write(chunk)
        return path

    async def transcribe_episode(self, episode_id: str, url: str) -> list[dict]:
        path = await self.download(url)
        result = self.model.transcribe(path, fp16=False, beam_size=5)  # bug: ADC101
        out = [{"start": s["start"], "end": s["end"], "text": s["text"]} for s in result["segments"]]
        self.redis.publish("episodes:transcribed", episode_id)  # bug: ADC201
        return out

    async def transcribe_trailer(self, episode_id: str, url: str) -> list[dict]:
        path = await self.download(url)
        out = await asyncio.to_thread(self._run_model, path)
        await self.redis.publish("trailers:transcribed", episode_id)
        return out

    async def close(self) -> None:
        await self.http.aclose()
        await self.redis.aclose()


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def startup(state: TaskiqState) -> None:
    state.transcriber = await asyncio.to_thread(Transcriber)


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def shutdown(state: TaskiqState) -> None:
    await state.transcriber.close()


@broker.task(retry_on_error=True, max_retries=3)
async def transcribe(episode_id: str, audio_url: str, kind: str = "episode") -> int:
    t: Transcriber = broker.state.transcriber
    if kind == "trailer":
        segments = await t.transcribe_trailer(episode_id, audio_url)
    else:
        segments = await t.transcribe_episode(episode_id, audio_url)
    await t.redis.set(f"transcript:{episode_id}", "\n".join(s["text"] for s in segments))
    log.info("episode %s: %d segments", episode_id, len(segments))
    return len(segments)
