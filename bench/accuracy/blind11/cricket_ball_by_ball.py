"""Ball-by-ball live scoring for the Downs Village Cricket League (FastAPI + Redis)."""
import asyncio
import json
from contextlib import asynccontextmanager

import httpx
import redis.asyncio as aioredis
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

LEAGUE_API = "https://league-results.example/api/v2"


class Ball(BaseModel):
    over: int
    ball: int
    batter: str
    bowler: str
    runs: int = 0
    extras: str | None = None
    wicket: str | None = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.redis = aioredis.from_url("redis://scores-cache:6379/0", decode_responses=True)
    app.state.league = httpx.AsyncClient(base_url=LEAGUE_API, timeout=10)
    app.state.pending = set()
    yield
    await asyncio.gather(*app.state.pending, return_exceptions=True)
    await app.state.league.aclose()
    await app.state.redis.aclose()


app = FastAPI(lifespan=lifespan)


def innings_key(match_id: int, innings: int) -> str:
    return f"match:{match_id}:inn:{innings}"


@app.post("/matches/{match_id}/innings/{innings}/balls")
async def record_ball(match_id: int, innings: int, ball: Ball, request: Request):
    r = request.app.state.redis
    key = innings_key(match_id, innings)
    illegal = ball.extras in ("wd", "nb")
    async with r.pipeline(transaction=True) as pipe:
        pipe.rpush(f"{key}:balls", ball.model_dump_json())
        pipe.hincrby(key, "runs", ball.runs + (1 if illegal else 0))
        if ball.wicket:
            pipe.hincrby(key, "wickets", 1)
        if not illegal:
            pipe.hset(key, "overs", f"{ball.over}.{ball.ball}")
        await pipe.execute()
    score = await r.hgetall(key)
    update = {"innings": innings, **score, "last": ball.model_dump()}
    r.publish(f"live:{match_id}", json.dumps(update))  # bug: ADC201
    return {"score": score}


async def archive_innings(r: aioredis.Redis, league: httpx.AsyncClient, match_id: int, innings: int) -> None:
    key = innings_key(match_id, innings)
    balls = [json.loads(b) for b in await r.lrange(f"{key}:balls", 0, -1)]
    resp = await league.put(f"/matches/{match_id}/innings/{innings}/balls", json=balls)
    resp.raise_for_status()


async def push_result(league: httpx.AsyncClient, match_id: int, body: dict) -> None:
    resp = await league.post(f"/matches/{match_id}/result", json=body)
    resp.raise_for_status()


@app.post("/matches/{match_id}/innings/{innings}/close")
async def close_innings(match_id: int, innings: int, request: Request):
    state = request.app.state
    await state.redis.hset(innings_key(match_id, innings), "closed", 1)
    task = asyncio.create_task(archive_innings(state.redis, state.league, match_id, innings))
    state.pending.add(task)
    task.add_done_callback(state.pending.discard)
    return {"closed": innings}


@app.post("/matches/{match_id}/result")
async def result(match_id: int, body: dict, request: Request):
    r = request.app.state.redis
    await r.hset(f"match:{match_id}", mapping={"result": body["result"], "status": "complete"})
    await r.publish(f"live:{match_id}", json.dumps({"result": body["result"]}))
    asyncio.create_task(push_result(request.app.state.league, match_id, body))  # bug: ADC301
    return {"match": match_id, "result": body["result"]}


@app.websocket("/live/{match_id}")
async def live(ws: WebSocket, match_id: int):
    await ws.accept()
    pubsub = ws.app.state.redis.pubsub()
    await pubsub.subscribe(f"live:{match_id}")
    try:
        async for message in pubsub.listen():
            if message["type"] == "message":
                await ws.send_text(message["data"])
    except WebSocketDisconnect:
        pass
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
