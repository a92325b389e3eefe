"""One-off: generate the 256px thumbnails that the old uploader never made."""
import asyncio
import io
import logging
import os

import aioboto3
import asyncpg
from PIL import Image

log = logging.getLogger("backfill")

BUCKET = os.environ.get("MEDIA_BUCKET", "media-prod")


def make_thumb(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.thumbnail((256, 256))
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


async def backfill_one(s3, pool, row) -> None:
    obj = await s3.get_object(Bucket=BUCKET, Key=row["key"])
    data = await obj["Body"].read()
    thumb = await asyncio.to_thread(make_thumb, data)
    thumb_key = f"thumbs/256/{row['key']}"
    await s3.put_object(Bucket=BUCKET, Key=thumb_key, Body=thumb, ContentType="image/jpeg")
    await pool.execute("UPDATE media SET thumb_key = $1 WHERE id = $2", thumb_key, row["id"])


async def main() -> None:
    session = aioboto3.Session()
    async with asyncpg.create_pool(os.environ["MEDIA_DSN"]) as pool, session.client("s3") as s3:
        rows = await pool.fetch("SELECT id, key FROM media WHERE thumb_key IS NULL AND kind = 'image'")
        log.info("%d images to backfill", len(rows))
        async with asyncio.TaskGroup() as tg:
            for row in rows:
                tg.create_task(backfill_one(s3, pool, row))  # bug: ADC502


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
