"""Mirror an S3 prefix to a MinIO bucket with a fixed pool of workers."""
from __future__ import annotations

import asyncio
import logging
import os

import boto3

log = logging.getLogger("mirror")


def _list_keys(s3, bucket: str, prefix: str) -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def _copy(src, dst, src_bucket: str, dst_bucket: str, key: str) -> int:
    obj = src.get_object(Bucket=src_bucket, Key=key)
    body = obj["Body"].read()
    dst.put_object(Bucket=dst_bucket, Key=key, Body=body)
    return len(body)


class Mirror:
    def __init__(self, workers: int = 6):
        self.src = boto3.client("s3")
        self.dst = boto3.client("s3", endpoint_url=os.environ["MINIO_URL"])
        self.workers = workers

    async def _worker(self, queue: asyncio.Queue, src_bucket: str, dst_bucket: str, totals: list[int]) -> None:
        while True:
            key = await queue.get()
            try:
                totals.append(await asyncio.to_thread(_copy, self.src, self.dst, src_bucket, dst_bucket, key))
            except Exception:
                log.exception("copy of %s failed", key)
            finally:
                queue.task_done()

    async def run(self, src_bucket: str, dst_bucket: str, prefix: str) -> int:
        keys = await asyncio.to_thread(_list_keys, self.src, src_bucket, prefix)
        queue: asyncio.Queue[str] = asyncio.Queue()
        for k in keys:
            queue.put_nowait(k)
        totals: list[int] = []
        workers = [
            asyncio.create_task(self._worker(queue, src_bucket, dst_bucket, totals)) for _ in range(self.workers)
        ]
        await queue.join()
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        return sum(totals)

    async def verify(self, dst_bucket: str, keys: list[str], limit: int = 8) -> list[str]:
        sem = asyncio.Semaphore(limit)

        async def head(key: str) -> str | None:
            async with sem:
                try:
                    await asyncio.to_thread(self.dst.head_object, Bucket=dst_bucket, Key=key)
                    return None
                except self.dst.exceptions.ClientError:
                    return key

        missing = await asyncio.gather(*(head(k) for k in keys))
        return [k for k in missing if k]


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    n = asyncio.run(Mirror().run(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""))
    print(f"copied {n} bytes")
