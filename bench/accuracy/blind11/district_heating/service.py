import asyncio
import logging

import asyncpg
from aiohttp import ClientSession, ClientTimeout, web

from . import alarms, billing, substations

log = logging.getLogger("heat.service")
routes = web.RouteTableDef()


async def on_startup(app: web.Application) -> None:
    app["pool"] = await asyncpg.create_pool("postgresql://heat@scada-db/heatnet", max_size=15)
    app["http"] = ClientSession(timeout=ClientTimeout(total=15))


async def on_cleanup(app: web.Application) -> None:
    await app["http"].close()
    await app["pool"].close()


@routes.post("/substations/refresh")
async def refresh_all(request: web.Request) -> web.Response:
    pool = request.app["pool"]
    subs = await substations.all_substations(pool)
    results = await asyncio.gather(  # bug: ADC502
        *(substations.read_controller(request.app["http"], s) for s in subs),
        return_exceptions=True,
    )
    readings = [r for r in results if isinstance(r, dict)]
    await substations.store(pool, readings)
    low = [r["id"] for r in readings if substations.delta_t(r) < 20]
    return web.json_response({"substations": len(subs), "read": len(readings), "low_delta_t": low})


@routes.post("/alarms")
async def alarm_webhook(request: web.Request) -> web.Response:
    alarm = await request.json()
    await request.app["pool"].execute(
        "insert into alarms (substation_id, code, severity, text) values ($1, $2, $3, $4)",
        alarm["substation_id"], alarm["code"], alarm["severity"], alarm["text"],
    )
    paged = None
    if alarm["severity"] >= 3:
        paged = await alarms.page_oncall(alarm)
    return web.json_response({"stored": True, "paged": paged})


@routes.post("/meter-reads")
async def meter_reads(request: web.Request) -> web.Response:
    payload = await request.json()
    count = await billing.store_reads(request.app["pool"], payload["reads"])
    return web.json_response({"stored": count})


@routes.get("/accounts/{account}/estimate")
async def bill_estimate(request: web.Request) -> web.Response:
    return web.json_response(await billing.estimate(request.app["pool"], request.match_info["account"]))


def make_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8084)
