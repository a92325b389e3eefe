from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Sequence

import numpy as np
from openai import AsyncOpenAI

log = logging.getLogger("indexer")

EMBED_MODEL = "text-embedding-3-small"
CHUNK_CHARS = 2000


def chunk_text(text: str, size: int = CHUNK_CHARS, overlap: int = 200) -> list[str]:
    chunks = []
    start = 0
    while start < len(text):
        chunks.append(text[start : start + size])
        start += size - overlap
    return chunks


class VectorIndex:
    def __init__(self, client: AsyncOpenAI, store) -> None:
        self._client = client
        self._store = store
        self._seen: dict[str, int] = {}

    async def _embed_chunk(self, chunk: str) -> np.ndarray:
        resp = await self._client.embeddings.create(model=EMBED_MODEL, input=chunk)
        return np.asarray(resp.data[0].embedding, dtype=np.float32)

    async def upsert_document(self, doc_id: str, text: str) -> int:
        guard = asyncio.Lock()  # bug: ADC504
        async with guard:
            digest = hashlib.sha256(text.encode()).hexdigest()
            if await self._store.get_digest(doc_id) == digest:
                return 0
            chunks = chunk_text(text)
            vectors = await asyncio.gather(*(self._embed_chunk(c) for c in chunks))  # bug: ADC502
            await self._store.replace(doc_id, digest, list(zip(chunks, vectors)))
            self._seen[doc_id] = len(chunks)
            return len(chunks)

    async def upsert_many(self, docs: Sequence[tuple[str, str]], parallel: int = 4) -> int:
        sem = asyncio.Semaphore(parallel)

        async def one(doc_id: str, text: str) -> int:
            async with sem:
                return await self.upsert_document(doc_id, text)

        counts = await asyncio.gather(*(one(d, t) for d, t in docs))
        total = sum(counts)
        log.info("indexed %d chunks from %d documents", total, len(docs))
        return total
