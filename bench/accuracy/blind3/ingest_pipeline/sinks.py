from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import boto3
import httpx

log = logging.getLogger(__name__)


class ClaimCheckResolver:
    """Large payloads are parked in S3; the Kafka record only carries a key."""

    def __init__(self, bucket: str) -> None:
        self._bucket = bucket
        self._s3 = boto3.client("s3")

    def _fetch(self, key: str) -> bytes:
        obj = self._s3.get_object(Bucket=self._bucket, Key=key)
        return obj["Body"].read()

    async def resolve(self, events: list[dict[str, Any]]) -> dict[str, bytes]:
        payloads: dict[str, bytes] = {}
        for event in events:
            ref = event.get("payload_ref")
            if ref:
                payloads[event["id"]] = await asyncio.to_thread(self._fetch, ref)  # bug: ADC501
        return payloads


class ClickHouseSink:
    def __init__(self, url: str, table: str, user: str, password: str) -> None:
        self._table = table
        self._client = httpx.AsyncClient(base_url=url, auth=(user, password), timeout=30)

    async def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        body = "\n".join(json.dumps(r, default=str) for r in rows)
        resp = await self._client.post(
            "/", params={"query": f"INSERT INTO {self._table} FORMAT JSONEachRow"}, content=body
        )
        resp.raise_for_status()
        log.debug("wrote %d rows to %s", len(rows), self._table)

    async def aclose(self) -> None:
        await self._client.aclose()
