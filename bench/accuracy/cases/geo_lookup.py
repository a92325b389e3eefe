from __future__ import annotations

import logging
from functools import lru_cache

import httpx
from fastapi import FastAPI, Request

logger = logging.getLogger(__name__)
app = FastAPI()

GEO_API = "https://geo.example.com/v1/lookup"


@lru_cache(maxsize=4096)
def _country_for(ip: str) -> str | None:
    resp = httpx.get(GEO_API, params={"ip": ip}, timeout=3.0)
    if resp.status_code != 200:
        return None
    return resp.json().get("country")


@app.middleware("http")
async def add_country_header(request: Request, call_next):
    ip = request.client.host if request.client else "0.0.0.0"
    country = _country_for(ip)  # bug: ADC101
    response = await call_next(request)
    if country:
        response.headers["X-Country"] = country
    return response


@app.get("/whereami")
async def whereami(request: Request):
    async with httpx.AsyncClient(timeout=3.0) as client:
        resp = await client.get(GEO_API, params={"ip": request.client.host})
    return resp.json()
