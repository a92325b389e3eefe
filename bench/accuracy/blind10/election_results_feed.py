"""Election night results desk: pulls the county returns feeds, stores them,
pushes snapshots to the newsroom's Kafka topic and recomputes projections."""
import asyncio
import contextlib
import json
import logging
import os

import aiohttp
import asyncpg
from aiohttp import web
from kafka import KafkaProducer

log = logging.getLogger("results")

with open(os.environ.get("COUNTY_FEEDS", "county_feeds.json")) as fh:
    COUNTY_FEEDS: dict[str, str] = json.load(fh)  # ~60 counties, one returns feed each


class ResultsPublisher:
    def __init__(self, bootstrap: str):
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap, acks="all", value_serializer=lambda v: json.dumps(v).encode()
        )

    async def publish(self, snapshot: dict) -> None:
        self.producer.send("results.snapshots", value=snapshot).get(timeout=10)  # bug: ADC101

    async def close(self) -> None:
        await asyncio.to_thread(self.producer.close, 10)


class ResultsDesk:
    def __init__(self, http: aiohttp.ClientSession, pool: asyncpg.Pool, publisher: ResultsPublisher):
        self.http, self.pool, self.publisher = http, pool, publisher
        self.reported: dict[str, int] = {}
        self._bg: set[asyncio.Task] = set()

    async def fetch_county(self, code: str) -> dict:
        for attempt in range(3):
            try:
                async with self.http.get(COUNTY_FEEDS[code]) as resp:
                    resp.raise_for_status()
                    return await resp.json(content_type=None)
            except aiohttp.ClientError:
                await asyncio.sleep(2 ** attempt)
        raise RuntimeError(f"county {code} feed unavailable")

    async def refresh(self) -> None:
        changed = {}
        for code in COUNTY_FEEDS:
            summary = await self.fetch_county(code)  # bug: ADC501
            if summary["precincts_reporting"] != self.reported.get(code):
                changed[code] = summary
        if not changed:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            for code, s in changed.items():
                await conn.executemany(
                    "INSERT INTO county_votes (county, race_id, candidate, votes) VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT (county, race_id, candidate) DO UPDATE SET votes = EXCLUDED.votes",
                    [(code, r["race_id"], c["name"], c["votes"]) for r in s["races"] for c in r["candidates"]],
                )
        for code, s in changed.items():
            self.reported[code] = s["precincts_reporting"]
        await self.publisher.publish({"counties": changed})
        for race_id in {r["race_id"] for s in changed.values() for r in s["races"]}:
            asyncio.ensure_future(self.recompute_projection(race_id))  # bug: ADC301

    async def recompute_projection(self, race_id: str) -> None:
        rows = await self.pool.fetch(
            "SELECT candidate, sum(votes) AS votes FROM county_votes WHERE race_id = $1 GROUP BY candidate", race_id
        )
        total = sum(r["votes"] for r in rows) or 1
        shares = {r["candidate"]: r["votes"] / total for r in rows}
        await self.pool.execute("INSERT INTO projections (race_id, shares) VALUES ($1, $2::jsonb)", race_id, json.dumps(shares))

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:
                log.exception("refresh failed")
            await asyncio.sleep(30)


async def desk_ctx(app: web.Application):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        pool = await asyncpg.create_pool(os.environ["RESULTS_DSN"])
        app["desk"] = desk = ResultsDesk(http, pool, app["publisher"])
        runner = asyncio.create_task(desk.run())
        yield
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await app["publisher"].close()
        await pool.close()


async def force_refresh(request: web.Request) -> web.Response:
    await request.app["desk"].refresh()
    return web.json_response({"reported": request.app["desk"].reported})


def make_app() -> web.Application:
    app = web.Application()
    app["publisher"] = ResultsPublisher(os.environ.get("KAFKA", "kafka:9092"))
    app.cleanup_ctx.append(desk_ctx)
    app.router.add_post("/refresh", force_refresh)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8090)
