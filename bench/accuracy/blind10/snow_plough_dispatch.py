"""Winter road maintenance: watches the road-surface forecast, plans gritting
routes when roads approach freezing, and serves them to the gritter cab tablets."""
import asyncio
import contextlib
import json
import logging
import os

import aiohttp
import requests
from aiohttp import web
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger("gritting")

FORECAST_URL = "https://roadweather.example/api/v3/forecast"
PLANNER_URL = "https://routing.county.internal/plan"
GIS_ROUTES_URL = "https://gis.county.internal/arcgis/rest/services/Gritting/FeatureServer/0/applyEdits"
FREEZING_MARGIN_C = 1.0


def _gis_session() -> requests.Session:
    """The county's ArcGIS server needs retries; shared with the nightly export script."""
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=1, status_forcelist=(502, 503))))
    s.headers["Authorization"] = f"Bearer {os.environ.get('GIS_TOKEN', '')}"
    return s


class Depot:
    def __init__(self, http: aiohttp.ClientSession):
        self.http = http
        self.routes: list[dict] = []
        self.routes_ready = False

    async def fetch_forecast(self) -> dict:
        async with self.http.get(FORECAST_URL, params={"network": "county-a-roads", "hours": 12}) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def plan_routes(self, forecast: dict) -> None:
        cold = [s for s in forecast["segments"] if s["min_surface_c"] <= FREEZING_MARGIN_C]
        async with self.http.post(PLANNER_URL, json={"segments": [s["id"] for s in cold], "vehicles": 14}) as resp:
            resp.raise_for_status()
            self.routes = (await resp.json())["routes"]
        gis = _gis_session()
        gis.post(GIS_ROUTES_URL, data={"adds": json.dumps(self.routes), "f": "json"}, timeout=30)  # bug: ADC101
        self.routes_ready = True
        log.info("planned %d routes over %d cold segments", len(self.routes), len(cold))

    async def watch_forecast(self) -> None:
        # periodic: each tick fetches a fresh forecast
        while True:
            try:
                forecast = await self.fetch_forecast()
                if min(s["min_surface_c"] for s in forecast["segments"]) <= FREEZING_MARGIN_C:
                    self.routes_ready = False
                    loop = asyncio.get_running_loop()
                    loop.create_task(self.plan_routes(forecast))  # bug: ADC301
            except aiohttp.ClientError as exc:
                log.warning("forecast unavailable: %s", exc)
            await asyncio.sleep(900)


async def route_for_cab(request: web.Request) -> web.Response:
    depot: Depot = request.app["depot"]
    vehicle = request.match_info["vehicle"]
    while not depot.routes_ready:  # bug: ADC503
        await asyncio.sleep(0.5)
    route = next((r for r in depot.routes if r["vehicle"] == vehicle), None)
    if route is None:
        return web.json_response({"vehicle": vehicle, "route": None, "message": "stand by"})
    return web.json_response({"vehicle": vehicle, "route": route})


async def depot_ctx(app: web.Application):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        app["depot"] = depot = Depot(http)
        watcher = asyncio.create_task(depot.watch_forecast())
        yield
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


def main() -> None:
    app = web.Application()
    app.cleanup_ctx.append(depot_ctx)
    app.router.add_get("/cab/{vehicle}/route", route_for_cab)
    web.run_app(app, port=8085)


if __name__ == "__main__":
    main()
