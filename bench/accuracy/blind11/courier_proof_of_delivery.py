"""Proof-of-delivery API for the courier app: photo, signature, geofence check, shipper webhook."""
import asyncio
import hashlib
import hmac
import io
import math
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import asyncpg
import boto3
import httpx
from fastapi import BackgroundTasks, Depends, FastAPI, Form, Header, HTTPException, Request, UploadFile
from PIL import Image, ImageOps

BUCKET = "pod-evidence-eu"
APP_SECRET = os.environ.get("DRIVER_APP_SECRET", "").encode()
GEOFENCE_M = 150

s3 = boto3.client("s3", region_name="eu-central-1")


def thumbnail(raw: bytes) -> bytes:
    with Image.open(io.BytesIO(raw)) as im:
        im = ImageOps.exif_transpose(im)
        im.thumbnail((800, 800))
        out = io.BytesIO()
        im.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["POD_DSN"], max_size=20)
    app.state.webhooks = httpx.AsyncClient(timeout=10)
    app.state.uploads = ThreadPoolExecutor(max_workers=8, thread_name_prefix="s3")
    yield
    await asyncio.to_thread(app.state.uploads.shutdown, wait=True)
    await app.state.webhooks.aclose()
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def db(request: Request):
    async with request.app.state.pool.acquire() as conn:
        yield conn


async def signed(request: Request, x_signature: str = Header(...)) -> None:
    expected = hmac.new(APP_SECRET, await request.body(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, x_signature):
        raise HTTPException(401, "bad signature")


async def notify_shipper(client: httpx.AsyncClient, url: str, payload: dict) -> None:
    for attempt in range(3):
        try:
            resp = await client.post(url, json=payload)
            if resp.status_code < 500:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(2 ** attempt)


@app.post("/deliveries/{parcel_id}/pod", dependencies=[Depends(signed)])
async def proof_of_delivery(
    parcel_id: str, request: Request, background: BackgroundTasks,
    photo: UploadFile, lat: float = Form(...), lon: float = Form(...), recipient: str = Form(""),
    conn: asyncpg.Connection = Depends(db),
):
    parcel = await conn.fetchrow("select lat, lon, shipper_webhook from parcels where id = $1", parcel_id)
    if parcel is None:
        raise HTTPException(404, "unknown parcel")
    off_by = distance_m(lat, lon, parcel["lat"], parcel["lon"])
    raw = await photo.read()
    thumb = await asyncio.to_thread(thumbnail, raw)
    loop = asyncio.get_running_loop()
    pool = request.app.state.uploads
    await asyncio.gather(
        loop.run_in_executor(pool, lambda: s3.put_object(Bucket=BUCKET, Key=f"{parcel_id}/photo.jpg", Body=raw)),
        loop.run_in_executor(pool, lambda: s3.put_object(Bucket=BUCKET, Key=f"{parcel_id}/thumb.jpg", Body=thumb)),
    )
    async with conn.transaction():
        await conn.execute(
            "update parcels set delivered_at = now(), pod_recipient = $2, pod_offset_m = $3 where id = $1",
            parcel_id, recipient, off_by,
        )
        await conn.execute("insert into parcel_events (parcel_id, kind) values ($1, 'delivered')", parcel_id)
    if parcel["shipper_webhook"]:
        background.add_task(notify_shipper, request.app.state.webhooks, parcel["shipper_webhook"],
                            {"parcel": parcel_id, "status": "delivered", "recipient": recipient})
    return {"parcel": parcel_id, "flagged": off_by > GEOFENCE_M}
