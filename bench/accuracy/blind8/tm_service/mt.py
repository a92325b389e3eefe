"""Machine translation through DeepL's REST API (httpx, shared client)."""
from __future__ import annotations

import asyncio

import httpx


async def translate_batch(client: httpx.AsyncClient, texts: list[str], src: str, tgt: str) -> list[str]:
    data = [("text", t) for t in texts] + [("source_lang", src.upper()), ("target_lang", tgt.upper())]
    for attempt in range(4):
        resp = await client.post("/v2/translate", data=data)
        if resp.status_code in (429, 456) and attempt < 3:
            await asyncio.sleep(float(resp.headers.get("Retry-After", 2 ** attempt)))
            continue
        resp.raise_for_status()
        return [t["text"] for t in resp.json()["translations"]]
    raise RuntimeError("unreachable")
