"""Recipe nutrition API (Litestar) for a meal-kit company: per-serving
nutrition from USDA FoodData Central, cached in Redis, and printable
nutrition labels for the kit boxes."""
import asyncio
import io
import json
import os
from dataclasses import dataclass

import httpx
from litestar import Litestar, Response, post
from litestar.datastructures import State
from redis import asyncio as aioredis
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen import canvas

FDC = "https://api.nal.usda.gov/fdc/v1"
FDC_KEY = os.environ.get("FDC_API_KEY", "DEMO_KEY")
FDC_LIMIT = asyncio.Semaphore(5)  # one for the whole process; FDC allows ~1000 requests an hour
NUTRIENTS = {"Energy": "kcal", "Protein": "protein_g", "Total lipid (fat)": "fat_g", "Carbohydrate, by difference": "carbs_g"}


@dataclass
class Ingredient:
    name: str
    grams: float


@dataclass
class Recipe:
    title: str
    servings: int
    ingredients: list[Ingredient]


async def lookup(http: httpx.AsyncClient, name: str) -> dict[str, float]:
    async with FDC_LIMIT:
        resp = await http.get(f"{FDC}/foods/search", params={"query": name, "pageSize": 1, "dataType": "Foundation,SR Legacy", "api_key": FDC_KEY})
    resp.raise_for_status()
    food = resp.json()["foods"][0]
    return {NUTRIENTS[n["nutrientName"]]: n["value"] for n in food["foodNutrients"] if n["nutrientName"] in NUTRIENTS}


async def per_serving(recipe: Recipe, state: State) -> dict[str, float]:
    keys = [f"fdc:{i.name.lower()}" for i in recipe.ingredients]
    cached = await state.redis.mget(keys)
    missing = [i.name for i, c in zip(recipe.ingredients, cached) if c is None]
    fetched = dict(zip(missing, await asyncio.gather(*(lookup(state.http, n) for n in missing))))
    if fetched:
        async with state.redis.pipeline(transaction=False) as pipe:
            for name, per100 in fetched.items():
                pipe.set(f"fdc:{name.lower()}", json.dumps(per100), ex=7 * 86400)
            await pipe.execute()
    totals = dict.fromkeys(NUTRIENTS.values(), 0.0)
    for ing, raw in zip(recipe.ingredients, cached):
        per100 = json.loads(raw) if raw else fetched[ing.name]
        for k, v in per100.items():
            totals[k] += v * ing.grams / 100
    return {k: round(v / recipe.servings, 1) for k, v in totals.items()}


def render_label(title: str, values: dict[str, float]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A6)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(20, 380, title[:40])
    c.setFont("Helvetica", 10)
    for i, (k, v) in enumerate(values.items()):
        c.drawString(20, 350 - 16 * i, f"{k.replace('_g', ' (g)')}: {v}")
    c.showPage()
    c.save()
    return buf.getvalue()


@post("/recipes/nutrition")
async def nutrition(data: Recipe, state: State) -> dict:
    return {"title": data.title, "per_serving": await per_serving(data, state)}


@post("/recipes/label.pdf")
async def label(data: Recipe, state: State) -> Response:
    values = await per_serving(data, state)
    pdf = await asyncio.to_thread(render_label, data.title, values)
    return Response(pdf, media_type="application/pdf")


async def startup(app: Litestar) -> None:
    app.state.http = httpx.AsyncClient(timeout=15)
    app.state.redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost"), decode_responses=True)


async def shutdown(app: Litestar) -> None:
    await app.state.redis.aclose()
    await app.state.http.aclose()


app = Litestar([nutrition, label], on_startup=[startup], on_shutdown=[shutdown])
