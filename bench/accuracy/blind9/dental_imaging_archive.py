"""DICOM archive for a dental group: intra-oral and CBCT studies (aiohttp.web)."""
from __future__ import annotations

import asyncio
import io
import logging

import aioboto3
import asyncpg
import pydicom
from aiohttp import web

log = logging.getLogger("dentarch")
BUCKET = "dentarch-studies"
routes = web.RouteTableDef()


def _thumbnail(raw: bytes) -> bytes:
    from PIL import Image

    ds = pydicom.dcmread(io.BytesIO(raw))
    img = Image.fromarray(ds.pixel_array).convert("L")
    img.thumbnail((256, 256))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@routes.post("/studies")
async def upload_study(request: web.Request) -> web.Response:
    raw = await request.read()
    ds = pydicom.dcmread(io.BytesIO(raw))  # bug: ADC101
    uid = str(ds.StudyInstanceUID)
    thumb = await asyncio.to_thread(_thumbnail, raw)
    s3 = request.app["s3"]
    # study first, then its thumbnail: a thumbnail must never exist without its study
    await s3.put_object(Bucket=BUCKET, Key=f"{uid}/study.dcm", Body=raw)
    await s3.put_object(Bucket=BUCKET, Key=f"{uid}/thumb.png", Body=thumb)
    await request.app["pool"].execute(
        "INSERT INTO studies (uid, patient_id, modality, study_date) VALUES ($1, $2, $3, $4)",
        uid, str(ds.PatientID), str(ds.Modality), str(ds.StudyDate),
    )
    return web.json_response({"uid": uid}, status=201)


@routes.get("/patients/{patient_id}/studies")
async def patient_studies(request: web.Request) -> web.Response:
    pool: asyncpg.Pool = request.app["pool"]
    rows = await pool.fetch(
        "SELECT uid FROM studies WHERE patient_id = $1 ORDER BY study_date", request.match_info["patient_id"]
    )
    s3 = request.app["s3"]
    links = []
    for row in rows:
        head = await s3.head_object(Bucket=BUCKET, Key=f"{row['uid']}/study.dcm")  # bug: ADC501
        links.append({"uid": row["uid"], "bytes": head["ContentLength"], "stored": head["LastModified"].isoformat()})
    return web.json_response(links)


@routes.get("/studies/{uid}/history")
async def study_history(request: web.Request) -> web.Response:
    s3 = request.app["s3"]
    uid = request.match_info["uid"]
    versions, token = [], None
    while True:
        kwargs = {"Bucket": BUCKET, "Prefix": f"{uid}/"}
        if token:
            kwargs["KeyMarker"] = token
        page = await s3.list_object_versions(**kwargs)
        versions += [v["VersionId"] for v in page.get("Versions", [])]
        if not page.get("IsTruncated"):
            break
        token = page["NextKeyMarker"]
    return web.json_response({"uid": uid, "versions": versions})


async def s3_ctx(app: web.Application):
    session = aioboto3.Session()
    async with session.client("s3") as s3:
        app["s3"] = s3
        yield


async def pg_ctx(app: web.Application):
    app["pool"] = await asyncpg.create_pool(dsn="postgresql://dentarch@db/dentarch")
    yield
    await app["pool"].close()


def make_app() -> web.Application:
    app = web.Application(client_max_size=512 * 1024**2)
    app.cleanup_ctx.extend([pg_ctx, s3_ctx])
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8042)
