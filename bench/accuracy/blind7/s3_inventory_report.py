"""Monthly S3 storage report: size and object count per bucket and storage
class, for the buckets of one account.

    python s3_inventory_report.py report.csv
"""
import asyncio
import csv
import logging
import sys
from collections import Counter

import aioboto3
import boto3

log = logging.getLogger("s3-report")


def account_alias() -> str:
    aliases = boto3.client("iam").list_account_aliases()["AccountAliases"]
    return aliases[0] if aliases else boto3.client("sts").get_caller_identity()["Account"]


async def bucket_usage(s3, bucket: str, sem: asyncio.Semaphore) -> dict:
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    async with sem:
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 1000}):
            for obj in page.get("Contents", []):
                sizes[obj.get("StorageClass", "STANDARD")] += obj["Size"]
                counts[obj.get("StorageClass", "STANDARD")] += 1
    return {"bucket": bucket, "sizes": sizes, "counts": counts}


async def collect(region: str) -> list[dict]:
    session = aioboto3.Session(region_name=region)
    sem = asyncio.Semaphore(8)
    async with session.client("s3") as s3:
        buckets = [b["Name"] for b in (await s3.list_buckets())["Buckets"]]
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(bucket_usage(s3, b, sem)) for b in buckets]
    return [t.result() for t in tasks]


def write_rows(path: str, alias: str, usage: list[dict]) -> int:
    rows = 0
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["account", "bucket", "storage_class", "objects", "gib"])
        for item in sorted(usage, key=lambda u: u["bucket"]):
            for cls, size in sorted(item["sizes"].items()):
                writer.writerow([alias, item["bucket"], cls, item["counts"][cls], round(size / 2**30, 2)])
                rows += 1
    return rows


def main(out_path: str) -> None:
    alias = account_alias()
    region = boto3.session.Session().region_name or "eu-west-1"
    usage = asyncio.run(collect(region))
    log.info("%s: %d rows written", alias, write_rows(out_path, alias, usage))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main(sys.argv[1])
