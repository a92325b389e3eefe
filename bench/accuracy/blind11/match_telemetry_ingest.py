"""Match telemetry ingest for the Skyfall Arena dedicated servers (aiohttp + Kafka + Redis)."""
import asyncio
import gzip
import json
import os
import sys
from collections import Counter
from pathlib import Path

import aiofiles
import redis.asyncio as aioredis
from aiohttp import web
from aiokafka import AIOKafkaProducer

BOOTSTRAP = "kafka-1.game.lan:9092"
REPLAY_DIR = Path("/srv/replays")
SERVER_KEYS = set(os.environ.get("SERVER_KEYS", "").split(","))


def _serialize(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def decode(blob: bytes) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(blob).splitlines() if line]


def build_summary(match_id: str, events: list[dict], ratings: dict[str, int]) -> dict:
    kills = Counter(e["player"] for e in events if e["type"] == "kill")
    placement = {e["player"]: e["place"] for e in events if e["type"] == "eliminated"}
    return {"match": match_id, "kills": kills, "placement": placement, "ratings": ratings}


async def player_ratings(r: aioredis.Redis, players: list[str]) -> dict[str, int]:
    values = await r.mget([f"mmr:{p}" for p in players])
    return {p: int(v or 1500) for p, v in zip(players, values)}


async def server_info(r: aioredis.Redis, server: str) -> dict:
    return await r.hgetall(f"server:{server}")


async def on_startup(app: web.Application) -> None:
    app["redis"] = aioredis.from_url("redis://ladder-cache:6379/0", decode_responses=True)
    app["producer"] = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, value_serializer=_serialize)
    await app["producer"].start()


async def on_cleanup(app: web.Application) -> None:
    await app["producer"].stop()
    await app["redis"].aclose()


async def upload_match(request: web.Request) -> web.Response:
    if request.headers.get("X-Server-Key") not in SERVER_KEYS:
        raise web.HTTPUnauthorized()
    match_id = request.match_info["match_id"]
    blob = await request.read()
    async with aiofiles.open(REPLAY_DIR / f"{match_id}.jsonl.gz", "wb") as fh:
        await fh.write(blob)
    events = await asyncio.to_thread(decode, blob)
    players = sorted({e["player"] for e in events if "player" in e})
    ratings_task = asyncio.create_task(player_ratings(request.app["redis"], players))  # bug: ADC302
    ratings = await ratings_task
    summary = await asyncio.to_thread(build_summary, match_id, events, ratings)
    await request.app["producer"].send_and_wait("match-summaries", summary, key=match_id.encode())
    return web.json_response({"match": match_id, "events": len(events)})


async def reprocess(request: web.Request) -> web.Response:
    match_id = request.match_info["match_id"]
    info_task = asyncio.create_task(server_info(request.app["redis"], request.query["server"]))
    async with aiofiles.open(REPLAY_DIR / f"{match_id}.jsonl.gz", "rb") as fh:
        events = await asyncio.to_thread(decode, await fh.read())
    players = sorted({e["player"] for e in events if "player" in e})
    ratings = await player_ratings(request.app["redis"], players)
    summary = await asyncio.to_thread(build_summary, match_id, events, ratings)
    summary["server"] = await info_task
    await request.app["producer"].send_and_wait("match-summaries", summary, key=match_id.encode())
    return web.json_response({"match": match_id, "reprocessed": True})


async def republish(match_ids: list[str]) -> None:
    """Admin CLI: push stored summaries again after a ladder consumer bug."""
    r = aioredis.from_url("redis://ladder-cache:6379/0", decode_responses=True)
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, value_serializer=_serialize)  # bug: ADC401
    await producer.start()
    try:
        # in match order: the ladder applies rating changes in sequence
        for match_id in match_ids:
            async with aiofiles.open(REPLAY_DIR / f"{match_id}.jsonl.gz", "rb") as fh:
                events = await asyncio.to_thread(decode, await fh.read())
            players = sorted({e["player"] for e in events if "player" in e})
            ratings = await player_ratings(r, players)
            summary = await asyncio.to_thread(build_summary, match_id, events, ratings)
            await producer.send_and_wait("match-summaries", summary, key=match_id.encode())
    finally:
        await r.aclose()


def make_app() -> web.Application:
    app = web.Application(client_max_size=256 * 1024 * 1024)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_put("/matches/{match_id}", upload_match)
    app.router.add_post("/matches/{match_id}/reprocess", reprocess)
    return app


if __name__ == "__main__":
    if sys.argv[1:2] == ["republish"]:
        asyncio.run(republish(sys.argv[2:]))
    else:
        web.run_app(make_app(), port=8300)
