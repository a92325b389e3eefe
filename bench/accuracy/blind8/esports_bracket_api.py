"""Bracket API for an open online tournament circuit (Litestar).

Registration is open: a cup can end up with a few thousand teams. Seeding uses
each team's ladder rating from the game publisher's API.
"""
from __future__ import annotations

import asyncio
import json
import math

import httpx
import websockets
from litestar import Litestar, get, post
from litestar.datastructures import State

PUBLISHER_API = "https://api.publisher.example/ladder/v3"
REGIONS = ("euw", "na", "kr", "br")
GAME_SERVERS = {"euw": "wss://gs-euw.publisher.example/status", "na": "wss://gs-na.publisher.example/status",
                "kr": "wss://gs-kr.publisher.example/status", "br": "wss://gs-br.publisher.example/status"}


async def on_startup(app: Litestar) -> None:
    app.state.http = httpx.AsyncClient(base_url=PUBLISHER_API, timeout=10)


async def on_shutdown(app: Litestar) -> None:
    await app.state.http.aclose()


async def team_rating(client: httpx.AsyncClient, team: dict) -> float:
    resp = await client.get(f"/teams/{team['publisher_id']}/rating")
    resp.raise_for_status()
    return resp.json()["mmr"]


def seed_bracket(teams: list[dict], ratings: list[float]) -> list[tuple[dict, dict | None]]:
    ranked = [t for _, t in sorted(zip(ratings, teams), key=lambda p: p[0], reverse=True)]
    size = 2 ** math.ceil(math.log2(max(2, len(ranked))))
    ranked += [None] * (size - len(ranked))
    return [(ranked[i], ranked[size - 1 - i]) for i in range(size // 2)]


@post("/cups/{cup_id:int}/seed")
async def seed(cup_id: int, data: dict, state: State) -> dict:
    teams = data["teams"]
    ratings = await asyncio.gather(*(team_rating(state.http, t) for t in teams))  # bug: ADC502
    pairs = seed_bracket(teams, ratings)
    return {"cup": cup_id, "round_of": len(pairs) * 2,
            "matches": [[a["name"], b["name"] if b else "BYE"] for a, b in pairs]}


async def fetch_match(client: httpx.AsyncClient, match_id: str) -> dict:
    resp = await client.get(f"/matches/{match_id}")
    resp.raise_for_status()
    return resp.json()


@get("/matches/{match_id:str}")
async def match_result(match_id: str, state: State) -> dict:
    task = asyncio.create_task(fetch_match(state.http, match_id))  # bug: ADC302
    match = await task
    return {"id": match_id, "winner": match["winner"], "score": match["score"]}


@get("/servers/{region:str}/ping")
async def server_ping(region: str) -> dict:
    ws = await websockets.connect(GAME_SERVERS[region], open_timeout=5)  # bug: ADC401
    await ws.send(json.dumps({"op": "status"}))
    status = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
    return {"region": region, "players": status["players"], "queue_s": status["queue_seconds"]}


async def region_status(region: str) -> dict:
    async with websockets.connect(GAME_SERVERS[region], open_timeout=5) as ws:
        await ws.send(json.dumps({"op": "status"}))
        return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))


@get("/servers")
async def all_servers() -> dict:
    statuses = await asyncio.gather(*(region_status(r) for r in REGIONS), return_exceptions=True)
    return {r: (s if not isinstance(s, Exception) else {"error": str(s)}) for r, s in zip(REGIONS, statuses)}


app = Litestar(route_handlers=[seed, match_result, server_ping, all_servers],
               on_startup=[on_startup], on_shutdown=[on_shutdown])
