"""Exports a tenant's data to S3-compatible storage, page by page."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import AsyncIterator

import aioboto3
import httpx

log = logging.getLogger(__name__)

PAGE_SIZE = 500


async def iter_records(client: httpx.AsyncClient, tenant: str) -> AsyncIterator[dict]:
    """Follows the API's cursor until it runs out."""
    cursor: str | None = None
    while True:
        params = {"tenant": tenant, "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        resp = await client.get("/records", params=params)
        resp.raise_for_status()
        page = resp.json()
        for record in page["items"]:
            yield record
        cursor = page.get("next")
        if not cursor:
            break


async def iter_pages(client: httpx.AsyncClient, url: str) -> AsyncIterator[list]:
    page = 1
    while True:
        resp = await client.get(url, params={"page": page})
        items = resp.json()
        if not items:
            return
        yield items
        page += 1


async def export_tenant(tenant: str, bucket: str, api_url: str) -> int:
    session = aioboto3.Session()
    part, count, buffer = 0, 0, []
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as client, \
            session.client("s3") as s3:
        async for record in iter_records(client, tenant):
            buffer.append(record)
            count += 1
            if len(buffer) >= 10_000:
                await _upload(s3, bucket, f"{tenant}/part-{part:05d}.json.gz", buffer)
                part, buffer = part + 1, []
        if buffer:
            await _upload(s3, bucket, f"{tenant}/part-{part:05d}.json.gz", buffer)
    log.info("exported %d records for %s", count, tenant)
    return count


async def _upload(s3, bucket: str, key: str, rows: list[dict]) -> None:
    body = gzip.compress("\n".join(json.dumps(r) for r in rows).encode())
    await s3.put_object(Bucket=bucket, Key=key, Body=body)
