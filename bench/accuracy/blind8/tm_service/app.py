"""Quart API used by the CAT tool plug-in."""
from __future__ import annotations

import asyncio
import os

import asyncpg
import httpx
from quart import Quart, jsonify, request

from . import mt, segmenter, store

FUZZY_THRESHOLD = 0.85
app = Quart(__name__)


@app.before_serving
async def open_clients() -> None:
    app.pool = await asyncpg.create_pool(os.environ["TM_DSN"], min_size=2, max_size=10)
    app.deepl = httpx.AsyncClient(base_url="https://api.deepl.com", timeout=30,
                                  headers={"Authorization": f"DeepL-Auth-Key {os.environ['DEEPL_KEY']}"})


@app.after_serving
async def close_clients() -> None:
    await app.deepl.aclose()
    await app.pool.close()


@app.post("/translate")
async def translate():
    body = await request.get_json()
    src, tgt = body["source"], body["target"]
    segments = segmenter.split(body["text"])
    hits = {}
    for i, seg in enumerate(segments):
        row = await store.lookup(app.pool, src, tgt, seg)  # bug: ADC501
        if row is not None and row["score"] >= FUZZY_THRESHOLD:
            hits[i] = row
    misses = [seg for i, seg in enumerate(segments) if i not in hits]
    machine = iter(await mt.translate_batch(app.deepl, misses, src, tgt) if misses else [])
    if hits:
        store.bump_usage(app.pool, [row["id"] for row in hits.values()])  # bug: ADC201
    out = [{"target": hits[i]["target"], "origin": "tm"} if i in hits
           else {"target": next(machine), "origin": "mt"} for i in range(len(segments))]
    return jsonify(out)


@app.get("/suggest")
async def suggest():
    src, tgt, q = request.args["source"], request.args["target"], request.args["q"]
    mt_task = asyncio.create_task(mt.translate_batch(app.deepl, [q], src, tgt))  # bug: ADC302
    [suggestion] = await mt_task
    return jsonify({"mt": suggestion})


@app.get("/preview")
async def preview():
    src, tgt, q = request.args["source"], request.args["target"], request.args["q"]
    mt_task = asyncio.create_task(mt.translate_batch(app.deepl, [q], src, tgt))
    row = await store.lookup(app.pool, src, tgt, q)
    [machine] = await mt_task
    return jsonify({"tm": row["target"] if row else None, "score": row["score"] if row else 0, "mt": machine})


@app.post("/segments")
async def add():
    body = await request.get_json()
    await store.add_segments(app.pool, body["source"], body["target"], [tuple(p) for p in body["pairs"]])
    return jsonify({"added": len(body["pairs"])}), 201
