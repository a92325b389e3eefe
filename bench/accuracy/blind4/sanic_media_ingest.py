import asyncio
import hashlib
import os

import aiohttp
from sanic import Sanic, json
from sanic.log import logger

app = Sanic("media_ingest")
STORE = os.environ.get("MEDIA_DIR", "/srv/media")


@app.before_server_start
async def setup(app, _loop):
    app.ctx.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
    app.ctx.pending = set()


@app.after_server_stop
async def teardown(app, _loop):
    await asyncio.gather(*app.ctx.pending, return_exceptions=True)
    await app.ctx.http.close()


def _store(data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(STORE, digest)
    with open(path, "wb") as fh:
        fh.write(data)
    return digest, path


async def _headers(url: str) -> dict:
    async with app.ctx.http.head(url, allow_redirects=True) as resp:
        return {"status": resp.status, "type": resp.headers.get("content-type")}


async def _thumbnail(path: str) -> None:
    proc = await asyncio.create_subprocess_exec("vipsthumbnail", path, "-s", "256", "-o", "%s_t.jpg")
    await proc.wait()


def warm_cdn(url: str) -> None:
    """Also used from the nightly sync script."""
    async def _head():
        async with aiohttp.ClientSession() as s:
            await s.head(url)
    asyncio.get_event_loop().run_until_complete(_head())


@app.post("/ingest")
async def ingest(request):
    src = request.json["url"]
    resp = await app.ctx.http.get(src)  # bug: ADC401
    if resp.status != 200:
        return json({"error": resp.status}, status=502)
    data = await resp.read()
    digest, path = await asyncio.to_thread(_store, data)

    thumb = asyncio.create_task(_thumbnail(path))
    app.ctx.pending.add(thumb)
    thumb.add_done_callback(app.ctx.pending.discard)

    warm_cdn(f"https://cdn.example.com/media/{digest}")  # bug: ADC103
    logger.info("ingested %s as %s", src, digest)
    return json({"id": digest})


@app.post("/ingest/probe")
async def probe(request):
    probe_task = asyncio.create_task(_headers(request.json["url"]))  # bug: ADC302
    return json(await probe_task)
