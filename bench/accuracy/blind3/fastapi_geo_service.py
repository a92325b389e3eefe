from __future__ import annotations

import contextlib
import os
from typing import Annotated

import aiohttp
import httpx
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel

GEOCODER_URL = os.environ.get("GEOCODER_URL", "https://geocoder.internal")
ELEVATION_URL = os.environ.get("ELEVATION_URL", "https://elevation.internal")
WEATHER_URL = os.environ.get("WEATHER_URL", "https://weather.internal")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(base_url=GEOCODER_URL, timeout=5) as geocoder:
        app.state.geocoder = geocoder
        yield


app = FastAPI(title="geo-service", lifespan=lifespan)


class Place(BaseModel):
    name: str
    lat: float
    lon: float
    elevation: float | None = None


def get_geocoder(request: Request) -> httpx.AsyncClient:
    return request.app.state.geocoder


async def get_elevation_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=ELEVATION_URL, timeout=5)  # bug: ADC401, ADC402


Geocoder = Annotated[httpx.AsyncClient, Depends(get_geocoder)]
Elevation = Annotated[httpx.AsyncClient, Depends(get_elevation_client)]


@app.get("/places", response_model=Place)
async def lookup(q: Annotated[str, Query(min_length=2)], geocoder: Geocoder, elevation: Elevation) -> Place:
    resp = await geocoder.get("/search", params={"q": q, "limit": 1})
    resp.raise_for_status()
    hits = resp.json()
    if not hits:
        raise HTTPException(404, f"no place called {q!r}")
    hit = hits[0]
    elev = await elevation.get("/point", params={"lat": hit["lat"], "lon": hit["lon"]})
    height = elev.json().get("elevation") if elev.status_code == 200 else None
    return Place(name=hit["display_name"], lat=hit["lat"], lon=hit["lon"], elevation=height)


@app.get("/weather")
async def weather(lat: float, lon: float) -> dict:
    async with aiohttp.ClientSession(base_url=WEATHER_URL) as session:  # bug: ADC402
        async with session.get("/v1/current", params={"lat": lat, "lon": lon}) as resp:
            if resp.status != 200:
                raise HTTPException(502, "weather backend unavailable")
            data = await resp.json()
    return {"temperature": data["temp_c"], "wind": data["wind_kph"], "summary": data["condition"]}
