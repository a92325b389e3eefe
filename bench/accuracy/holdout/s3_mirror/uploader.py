import asyncio
from pathlib import Path

import aioboto3

_session = aioboto3.Session()


async def upload_one(s3, bucket: str, root: Path, path: Path) -> str:
    key = path.relative_to(root).as_posix()
    body = path.read_bytes()  # bug: ADC101
    await s3.put_object(Bucket=bucket, Key=key, Body=body)
    return key


async def upload_tree(bucket: str, root: Path, files: list[Path]) -> list[str]:
    async with _session.client("s3") as s3:
        return await asyncio.gather(*(upload_one(s3, bucket, root, p) for p in files))  # bug: ADC502


async def remote_keys(bucket: str, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    async with _session.client("s3") as s3:
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys.update(obj["Key"] for obj in page.get("Contents", ()))
    return keys
