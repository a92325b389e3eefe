"""S3 helpers (aioboto3); the client is opened once per worker."""
from __future__ import annotations

import os

import aioboto3

BUCKET = os.environ.get("LABEL_BUCKET", "aerial-labelling")
session = aioboto3.Session()


async def get_object(s3, key: str) -> bytes:
    obj = await s3.get_object(Bucket=BUCKET, Key=key)
    async with obj["Body"] as stream:
        return await stream.read()


async def put_object(s3, key: str, data: bytes, content_type: str) -> None:
    await s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=content_type)


async def batch_keys(s3, batch_id: str) -> list[str]:
    keys = []
    paginator = s3.get_paginator("list_objects_v2")
    async for page in paginator.paginate(Bucket=BUCKET, Prefix=f"uploads/{batch_id}/"):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return keys
