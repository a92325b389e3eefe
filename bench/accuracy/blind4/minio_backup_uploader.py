"""Push nightly dump files to MinIO/S3 and verify them."""
import asyncio
import hashlib
import logging
import os
from pathlib import Path

import boto3
from botocore.config import Config

log = logging.getLogger("backup")

BUCKET = os.environ.get("BACKUP_BUCKET", "db-backups")


class Uploader:
    def __init__(self, endpoint: str, parallel: int = 4):
        self.s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(retries={"max_attempts": 5}))
        self.parallel = parallel

    def _md5(self, path: Path) -> str:
        h = hashlib.md5()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    async def upload_one(self, path: Path) -> str:
        gate = asyncio.Semaphore(self.parallel)  # bug: ADC504
        async with gate:
            digest = await asyncio.to_thread(self._md5, path)
            await asyncio.to_thread(
                self.s3.upload_file, str(path), BUCKET, path.name, ExtraArgs={"Metadata": {"md5": digest}}
            )
            return path.name

    async def upload_all(self, folder: Path) -> list[str]:
        files = sorted(folder.glob("*.dump.gz"))
        return await asyncio.gather(*(self.upload_one(p) for p in files))

    async def verify(self, keys: list[str]) -> dict[str, int]:
        sizes = {}
        for key in keys:
            head = await asyncio.to_thread(self.s3.head_object, Bucket=BUCKET, Key=key)  # bug: ADC501
            sizes[key] = head["ContentLength"]
        return sizes

    async def prune(self, keep: int = 14) -> None:
        listing = self.s3.list_objects_v2(Bucket=BUCKET)  # bug: ADC101
        objs = sorted(listing.get("Contents", []), key=lambda o: o["LastModified"])
        for obj in objs[:-keep]:
            log.info("pruning %s", obj["Key"])
        doomed = [{"Key": o["Key"]} for o in objs[:-keep]]
        if doomed:
            await asyncio.to_thread(self.s3.delete_objects, Bucket=BUCKET, Delete={"Objects": doomed})


async def main() -> None:
    up = Uploader(os.environ["S3_ENDPOINT"])
    keys = await up.upload_all(Path("/var/backups/pg"))
    sizes = await up.verify(keys)
    log.info("uploaded %d files, %d bytes", len(sizes), sum(sizes.values()))
    await up.prune()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
