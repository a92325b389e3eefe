"""Season leaderboard service (FastAPI + Tortoise ORM) for a competitive shooter."""
import asyncio

import httpx
from fastapi import FastAPI, Request
from tortoise import fields
from tortoise.contrib.fastapi import register_tortoise
from tortoise.models import Model

REGIONS = ("eu", "na", "asia")
PROFILE_API = "https://profiles.example-game.com/v1/players"


class Season(Model):
    id = fields.IntField(pk=True)
    closed = fields.BooleanField(default=False)


class Player(Model):
    id = fields.IntField(pk=True)
    handle = fields.CharField(max_length=32)
    region = fields.CharField(max_length=8)
    rating = fields.IntField(default=1000)
    avatar = fields.CharField(max_length=255, null=True)
    season = fields.ForeignKeyField("models.Season", related_name="players")


def ensure_season_sync(season_id: int) -> Season:
    """Used by the `leaderboard admin` CLI, which has no running loop."""
    loop = asyncio.get_event_loop()
    season, _ = loop.run_until_complete(Season.get_or_create(id=season_id))
    return season


app = FastAPI()
register_tortoise(app, db_url="postgres://lb:lb@db/leaderboard", modules={"models": [__name__]})


@app.on_event("startup")
async def open_http() -> None:
    app.state.http = httpx.AsyncClient(base_url=PROFILE_API, timeout=5)


@app.on_event("shutdown")
async def close_http() -> None:
    await app.state.http.aclose()


async def top_for(region: str, season_id: int, limit: int) -> list[dict]:
    rows = await Player.filter(season_id=season_id, region=region).order_by("-rating").limit(limit)
    return [{"handle": p.handle, "rating": p.rating, "avatar": p.avatar} for p in rows]


@app.get("/seasons/{season_id}/top")
async def leaderboard(season_id: int, limit: int = 50):
    tables = await asyncio.gather(*(top_for(r, season_id, limit) for r in REGIONS))
    return dict(zip(REGIONS, tables))


async def refresh_avatar(http: httpx.AsyncClient, player: Player) -> None:
    resp = await http.get(f"/{player.id}")
    if resp.status_code == 200:
        player.avatar = resp.json().get("avatar_url")
        await player.save(update_fields=["avatar"])


@app.post("/seasons/{season_id}/close")
async def close_season(season_id: int, request: Request):
    season = ensure_season_sync(season_id)  # bug: ADC103
    players = await Player.filter(season_id=season_id)
    await asyncio.gather(*(refresh_avatar(request.app.state.http, p) for p in players))  # bug: ADC502
    season.closed = True
    await season.save()
    return {"season": season_id, "players": len(players)}
