"""NATS JetStream worker: aligns subtitle files to the final cut and translates them."""
from __future__ import annotations

import asyncio
import json
import logging
import os

import aiofiles
import httpx
import nats
import srt

log = logging.getLogger("subsync")
DEEPL_URL = "https://api.deepl.com/v2/translate"


async def _guess_language(client: httpx.AsyncClient, sample: str) -> str:
    resp = await client.post(DEEPL_URL, data={"text": sample, "target_lang": "EN-GB"})
    resp.raise_for_status()
    return resp.json()["translations"][0]["detected_source_language"].lower()


def detect_language_sync(text: str) -> str:
    """For the `subsync detect` command run by editors on their laptops."""
    loop = asyncio.new_event_loop()
    try:
        client = httpx.AsyncClient(headers={"Authorization": f"DeepL-Auth-Key {os.environ['DEEPL_KEY']}"})
        try:
            return loop.run_until_complete(_guess_language(client, text[:2000]))
        finally:
            loop.run_until_complete(client.aclose())
    finally:
        loop.close()


async def align(video: str, subs_in: str, subs_out: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "ffsubsync", video, "-i", subs_in, "-o", subs_out,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout=900)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(err.decode()[-500:])


async def translate(client: httpx.AsyncClient, cues: list[srt.Subtitle], lang: str) -> str:
    resp = await client.post(DEEPL_URL, data={"text": [c.content for c in cues], "target_lang": lang.upper()})
    resp.raise_for_status()
    out = [srt.Subtitle(c.index, c.start, c.end, t["text"]) for c, t in zip(cues, resp.json()["translations"])]
    return srt.compose(out)


async def handle(client: httpx.AsyncClient, job: dict) -> dict[str, str]:
    aligned = job["subs"].replace(".srt", ".aligned.srt")
    await align(job["video"], job["subs"], aligned)
    async with aiofiles.open(aligned, encoding="utf-8") as fh:
        text = await fh.read()
    source_lang = detect_language_sync(text)  # bug: ADC103
    cues = list(srt.parse(text))
    results: dict[str, str] = {}
    for lang in job["targets"]:
        if lang != source_lang:
            results[lang] = await translate(client, cues, lang)  # bug: ADC501
    return results


async def main() -> None:
    nc = await nats.connect(os.environ.get("NATS_URL", "nats://nats:4222"))
    js = nc.jetstream()
    sub = await js.pull_subscribe("subtitles.jobs", durable="subsync")
    headers = {"Authorization": f"DeepL-Auth-Key {os.environ['DEEPL_KEY']}"}
    async with httpx.AsyncClient(headers=headers, timeout=120) as client:
        try:
            while True:
                try:
                    msgs = await sub.fetch(batch=1, timeout=30)
                except nats.errors.TimeoutError:
                    continue
                for msg in msgs:
                    job = json.loads(msg.data)
                    results = await handle(client, job)
                    await js.publish(f"subtitles.done.{job['title_id']}", json.dumps(results).encode())
                    await msg.ack()
        finally:
            await nc.drain()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
