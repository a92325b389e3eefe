"""OTA firmware server for the thermostat fleet (aiohttp).

Release engineers upload signed images; devices check in and download them.
"""
import asyncio
import hashlib
import logging
from pathlib import Path

import aiofiles
import asyncpg
from aiohttp import web
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

log = logging.getLogger("ota")

IMAGES = Path("/srv/ota/images")
MAX_PARALLEL_DOWNLOADS = 50
CHUNK = 256 * 1024
routes = web.RouteTableDef()


def verify_signature(key: VerifyKey, blob: bytes, signature: bytes) -> bool:
    try:
        key.verify(blob, signature)
        return True
    except BadSignatureError:
        return False


@routes.post("/admin/images/{model}/{version}")
async def upload_image(request: web.Request) -> web.Response:
    model, version = request.match_info["model"], request.match_info["version"]
    blob = await request.read()
    signature = bytes.fromhex(request.headers["X-Signature"])
    ok = await asyncio.to_thread(verify_signature, request.app["verify_key"], blob, signature)
    if not ok:
        raise web.HTTPForbidden(text="bad signature")
    digest = hashlib.sha256(blob).hexdigest()  # bug: ADC101
    path = IMAGES / model / f"{version}.bin"
    async with aiofiles.open(path, "wb") as fh:
        await fh.write(blob)
    async with request.app["db"].acquire() as conn:
        await conn.execute(
            "INSERT INTO images(model, version, sha256, size) VALUES($1, $2, $3, $4)",
            model, version, digest, len(blob),
        )
    return web.json_response({"sha256": digest, "size": len(blob)}, status=201)


@routes.get("/devices/{serial}/check-in")
async def check_in(request: web.Request) -> web.Response:
    serial = request.match_info["serial"]
    row = await request.app["db"].fetchrow(
        "SELECT i.version, i.sha256 FROM devices d JOIN images i ON i.model = d.model "
        "WHERE d.serial = $1 AND i.channel = d.channel ORDER BY i.released_at DESC LIMIT 1",
        serial,
    )
    if row is None:
        raise web.HTTPNotFound()
    return web.json_response({"version": row["version"], "sha256": row["sha256"]})


@routes.get("/images/{model}/{version}.bin")
async def download(request: web.Request) -> web.StreamResponse:
    path = IMAGES / request.match_info["model"] / f"{request.match_info['version']}.bin"
    slots = asyncio.Semaphore(MAX_PARALLEL_DOWNLOADS)  # bug: ADC504
    async with slots:
        resp = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await resp.prepare(request)
        async with aiofiles.open(path, "rb") as fh:
            while chunk := await fh.read(CHUNK):
                await resp.write(chunk)
        await resp.write_eof()
        return resp


async def db_ctx(app: web.Application):
    app["db"] = await asyncpg.create_pool(dsn=app["dsn"], max_size=10)
    yield
    await app["db"].close()


def make_app(dsn: str, verify_key_hex: str) -> web.Application:
    app = web.Application(client_max_size=256 * 1024 * 1024)
    app["dsn"] = dsn
    app["verify_key"] = VerifyKey(bytes.fromhex(verify_key_hex))
    app.cleanup_ctx.append(db_ctx)
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app("postgresql://ota@db/ota", open("/etc/ota/verify.key").read().strip()), port=8080)
