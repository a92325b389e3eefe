"""Wine cellar inventory for a restaurant group (Sanic + Motor).

Sommeliers photograph a label on the tablet; Cloud Vision reads producer and
vintage. During service, bottles are pulled from bins and stock is counted.
"""
from __future__ import annotations

import asyncio
import io
import re
from collections import defaultdict
from datetime import datetime, timezone

from google.cloud import vision
from motor.motor_asyncio import AsyncIOMotorClient
from PIL import Image
from sanic import Sanic, json
from sanic.exceptions import NotFound

app = Sanic("cellar")
vision_client = vision.ImageAnnotatorClient()
VINTAGE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def parse_label(text: str) -> dict:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    vintage = VINTAGE.search(text)
    return {"producer": lines[0] if lines else None, "vintage": int(vintage.group()) if vintage else None,
            "raw": lines[:8]}


def make_thumb(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.thumbnail((400, 400))
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=75)
    return out.getvalue()


@app.before_server_start
async def setup(app: Sanic, _) -> None:
    app.ctx.mongo = AsyncIOMotorClient(app.config.get("MONGO_URL", "mongodb://localhost:27017"))
    app.ctx.db = app.ctx.mongo["cellar"]
    app.ctx.count_locks = defaultdict(asyncio.Lock)


@app.after_server_stop
async def teardown(app: Sanic, _) -> None:
    app.ctx.mongo.close()


@app.post("/labels/scan")
async def scan_label(request):
    photo = request.files.get("photo")
    response = vision_client.text_detection(image=vision.Image(content=photo.body))  # bug: ADC101
    guess = parse_label(response.full_text_annotation.text)
    thumb = await asyncio.to_thread(make_thumb, photo.body)
    await app.ctx.db.scans.insert_one({"at": datetime.now(timezone.utc), "guess": guess, "thumb": thumb})
    return json(guess)


@app.post("/bins/<bin_id>/pull")
async def pull_bottle(request, bin_id: str):
    lock = asyncio.Lock()  # bug: ADC504
    async with lock:
        doc = await app.ctx.db.bins.find_one({"_id": bin_id})
        if doc is None:
            raise NotFound(f"no bin {bin_id}")
        if doc["count"] <= 0:
            return json({"error": "bin is empty"}, status=409)
        await app.ctx.db.bins.update_one({"_id": bin_id}, {"$inc": {"count": -1}})
    await app.ctx.db.pulls.insert_one({"bin": bin_id, "by": request.json["staff"],
                                       "table": request.json.get("table"), "at": datetime.now(timezone.utc)})
    return json({"left": doc["count"] - 1})


@app.post("/bins/<bin_id>/restock")
async def restock(request, bin_id: str):
    doc = await app.ctx.db.bins.find_one_and_update(
        {"_id": bin_id}, {"$inc": {"count": int(request.json["bottles"])}}, return_document=True)
    return json({"count": doc["count"]})


@app.put("/bins/<bin_id>/count")
async def stock_take(request, bin_id: str):
    async with app.ctx.count_locks[bin_id]:
        before = await app.ctx.db.bins.find_one({"_id": bin_id})
        counted = int(request.json["counted"])
        await app.ctx.db.bins.update_one({"_id": bin_id}, {"$set": {"count": counted}})
        await app.ctx.db.adjustments.insert_one({"bin": bin_id, "delta": counted - before["count"]})
    return json({"count": counted})
