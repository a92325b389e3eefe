import asyncio
import hashlib
import json
import time

import aiofiles

from .probe import probe
from .storage import Storage


class Pipeline:
    def __init__(self, storage: Storage, audit_path: str = "/var/log/photo-ingest.jsonl") -> None:
        self.storage = storage
        self.audit_path = audit_path

    async def _audit(self, record: dict) -> None:
        f = await aiofiles.open(self.audit_path, "a")  # bug: ADC401
        await f.write(json.dumps(record) + "\n")

    async def ingest(self, user_id: int, upload_path: str) -> dict:
        probing = asyncio.create_task(probe(upload_path))  # bug: ADC302
        meta = await probing
        async with aiofiles.open(upload_path, "rb") as fh:
            data = await fh.read()
        key = hashlib.sha256(data).hexdigest()
        stored = self.storage.backend.write(key, data)  # bug: ADC101
        record = {"user": user_id, "key": key, "path": stored, "at": time.time(), **meta}
        await self._audit(record)
        return record
