"""Job dispatch for a piano tuning and repair firm.

Schools, concert halls and private clients ask for a tuning. The firm has
about twenty tuners spread over the region; a job goes to the free tuner
with the shortest drive from their base, using the routing provider's
matrix-less route endpoint. Clients and tuners are texted.
"""
import asyncio
import logging
import os
from dataclasses import dataclass

import asyncpg
import httpx
from aiohttp import web

log = logging.getLogger("tuners")

ROUTING = "https://routing.example/v2/route"
ROUTING_KEY = os.environ.get("ROUTING_KEY", "")
SMS_API = "https://sms.example/api/messages"
DB_DSN = os.environ.get("TUNERS_DSN", "postgresql://dispatch@localhost/tuners")


@dataclass
class Tuner:
    id: int
    name: str
    phone: str
    base: tuple[float, float]


class SmsGateway:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(self, to: str, text: str) -> None:
        resp = await self.http.post(SMS_API, json={"to": to, "text": text[:459]})
        resp.raise_for_status()


class Dispatcher:
    def __init__(self, pool: asyncpg.Pool, http: httpx.AsyncClient) -> None:
        self.pool = pool
        self.http = http
        self.sms = SmsGateway(http)

    async def drive_minutes(self, origin: tuple[float, float], dest: tuple[float, float]) -> float:
        resp = await self.http.get(ROUTING, params={
            "from": f"{origin[0]},{origin[1]}", "to": f"{dest[0]},{dest[1]}",
            "profile": "car", "key": ROUTING_KEY,
        })
        resp.raise_for_status()
        return resp.json()["routes"][0]["duration_s"] / 60

    async def free_tuners(self, day: str) -> list[Tuner]:
        rows = await self.pool.fetch(
            "SELECT t.id, t.name, t.phone, t.base_lat, t.base_lon FROM tuners t"
            " WHERE t.active AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tuner_id = t.id AND j.day = $1"
            " GROUP BY j.tuner_id HAVING count(*) >= 4)",
            day,
        )
        return [Tuner(r["id"], r["name"], r["phone"], (r["base_lat"], r["base_lon"])) for r in rows]

    async def assign(self, job: asyncpg.Record) -> Tuner | None:
        site = (job["lat"], job["lon"])
        tuners = await self.free_tuners(job["day"])
        drives = []
        for tuner in tuners:
            drives.append((await self.drive_minutes(tuner.base, site), tuner))  # bug: ADC501
        if not drives:
            return None
        minutes, best = min(drives, key=lambda d: d[0])
        await self.pool.execute(
            "UPDATE jobs SET tuner_id = $2, drive_min = $3 WHERE id = $1", job["id"], best.id, minutes
        )
        return best

    async def new_job(self, request: web.Request) -> web.Response:
        body = await request.json()
        job = await self.pool.fetchrow(
            "INSERT INTO jobs (client, phone, instrument, lat, lon, day) VALUES ($1, $2, $3, $4, $5, $6)"
            " RETURNING id, lat, lon, day",
            body["client"], body["phone"], body["instrument"], body["lat"], body["lon"], body["day"],
        )
        tuner = await self.assign(job)
        if tuner is None:
            await self.sms.send(body["phone"], "No tuner is free that day, we will call you to rebook.")
            return web.json_response({"job": job["id"], "assigned": None}, status=202)
        await self.sms.send(tuner.phone, f"New job {job['id']}: {body['instrument']} for {body['client']} on {body['day']}.")
        self.sms.send(body["phone"], f"{tuner.name} will tune your {body['instrument']} on {body['day']}.")  # bug: ADC201
        return web.json_response({"job": job["id"], "assigned": tuner.name}, status=201)

    async def complete(self, request: web.Request) -> web.Response:
        job_id = int(request.match_info["job_id"])
        body = await request.json()
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE jobs SET done = now(), pitch_hz = $2 WHERE id = $1", job_id, body["pitch_hz"])
            await conn.execute(
                "INSERT INTO instrument_history (job_id, notes) VALUES ($1, $2)", job_id, body.get("notes", "")
            )
        return web.json_response({"job": job_id, "done": True})


async def make_app() -> web.Application:
    app = web.Application()
    pool = await asyncpg.create_pool(DB_DSN, max_size=5)
    http = httpx.AsyncClient(timeout=10)
    dispatcher = Dispatcher(pool, http)
    app.router.add_post("/jobs", dispatcher.new_job)
    app.router.add_post("/jobs/{job_id}/complete", dispatcher.complete)

    async def close(app: web.Application) -> None:
        await http.aclose()
        await pool.close()

    app.on_cleanup.append(close)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=8070)
