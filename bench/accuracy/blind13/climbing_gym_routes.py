"""Route setting and ascent logging for Crux Hall climbing gym (FastAPI, SQLAlchemy)."""
import asyncio
import os
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import AsyncIterator

import httpx
import requests
from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

APP_API = "https://api.climbapp.example/v2/gyms/crux-hall"
CARD_SERVICE = "http://cards.cruxhall.lan/render"
engine = create_async_engine(os.environ.get("CRUX_DB", "postgresql+asyncpg://crux@db/crux"))
Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Route(Base):
    __tablename__ = "routes"
    id: Mapped[int] = mapped_column(primary_key=True)
    wall: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = mapped_column(String(5))
    setter: Mapped[str] = mapped_column(String(40))
    set_on: Mapped[date]
    stripped_on: Mapped[date | None]
    app_id: Mapped[str | None]


class Ascent(Base):
    __tablename__ = "ascents"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    route_app_id: Mapped[str] = mapped_column(String(40))
    style: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]


class WallReset(BaseModel):
    wall: str
    routes: list[dict[str, str]]  # colour, grade, setter


@asynccontextmanager
async def lifespan(app: FastAPI):
    headers = {"Authorization": f"Bearer {os.environ['CLIMBAPP_TOKEN']}"}
    async with httpx.AsyncClient(base_url=APP_API, headers=headers, timeout=15) as client:
        app.state.climbapp = client
        yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        yield session


async def publish_to_app(client: httpx.AsyncClient, routes: list[Route]) -> None:
    body = [{"wall": r.wall, "colour": r.colour, "grade": r.grade, "setter": r.setter} for r in routes]
    resp = await client.post("/routes:batchCreate", json=body)
    resp.raise_for_status()
    async with Session() as session, session.begin():
        for route, app_id in zip(routes, resp.json()["ids"]):
            await session.execute(update(Route).where(Route.id == route.id).values(app_id=app_id))


@app.post("/walls/reset")
async def reset_wall(body: WallReset, background: BackgroundTasks, request: Request,
                     session: AsyncSession = Depends(get_session)):
    async with session.begin():
        await session.execute(
            update(Route).where(Route.wall == body.wall, Route.stripped_on.is_(None)).values(stripped_on=date.today())
        )
        new = [Route(wall=body.wall, set_on=date.today(), colour=r["colour"], grade=r["grade"], setter=r["setter"])
               for r in body.routes]
        session.add_all(new)
        await session.flush()
    background.add_task(publish_to_app, request.app.state.climbapp, new)
    return {"set": [r.id for r in new]}


@app.post("/ascents/sync")
async def sync_ascents(since: datetime, request: Request, session: AsyncSession = Depends(get_session)):
    client: httpx.AsyncClient = request.app.state.climbapp
    cursor, stored = None, 0
    async with session.begin():
        while True:
            params = {"since": since.isoformat(), "limit": 500, **({"cursor": cursor} if cursor else {})}
            resp = await client.get("/ascents", params=params)
            resp.raise_for_status()
            page = resp.json()
            for a in page["items"]:
                at = datetime.fromisoformat(a["at"])
                await session.merge(Ascent(id=a["id"], route_app_id=a["route_id"], style=a["style"], at=at))
                stored += 1
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return {"stored": stored}


@app.get("/walls/{wall}/stats")
async def wall_stats(wall: str, request: Request, session: AsyncSession = Depends(get_session)):
    client: httpx.AsyncClient = request.app.state.climbapp
    popularity, comments = await asyncio.gather(
        client.get(f"/walls/{wall}/popularity"), client.get(f"/walls/{wall}/comments", params={"days": 7})
    )
    rows = await session.execute(
        select(Route.colour, Route.grade, func.count(Ascent.id))
        .join(Ascent, Ascent.route_app_id == Route.app_id, isouter=True)
        .where(Route.wall == wall, Route.stripped_on.is_(None))
        .group_by(Route.id)
    )
    return {
        "routes": [{"colour": c, "grade": g, "ascents": n} for c, g, n in rows],
        "popularity": popularity.json(),
        "comments": len(comments.json()),
    }


@app.get("/routes/{route_id}/card.pdf")
def route_card(route_id: int) -> Response:
    # A plain def: FastAPI runs it in its thread pool, so the blocking call is fine here.
    resp = requests.get(CARD_SERVICE, params={"route": route_id}, timeout=20)
    resp.raise_for_status()
    return Response(resp.content, media_type="application/pdf")
