"""Index help-centre articles into Qdrant for semantic search.

    python qdrant_indexer.py full          # rebuild everything
    python qdrant_indexer.py since 2026-11-01T00:00:00Z
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys

import httpx
from openai import AsyncOpenAI
from qdrant_client import QdrantClient
from qdrant_client.models import PointStruct

log = logging.getLogger("indexer")

CMS_URL = os.environ.get("CMS_URL", "https://help.example.com")
EMBED_MODEL = "text-embedding-3-small"
BATCH = 64
BATCH_PAUSE = 1.5  # stay under the tokens-per-minute quota


class Indexer:
    def __init__(self, qdrant: QdrantClient, collection: str) -> None:
        self.qdrant = qdrant
        self.collection = collection
        self.openai = AsyncOpenAI()
        self.http = httpx.AsyncClient(base_url=CMS_URL, timeout=30)

    async def list_articles(self, since: str | None = None) -> list[dict]:
        articles: list[dict] = []
        cursor = None
        while True:
            params = {"limit": 200}
            if cursor:
                params["cursor"] = cursor
            if since:
                params["updated_since"] = since
            resp = await self.http.get("/api/v2/articles", params=params)
            resp.raise_for_status()
            page = resp.json()
            articles.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return articles

    async def embed(self, texts: list[str]) -> list[list[float]]:
        resp = await self.openai.embeddings.create(model=EMBED_MODEL, input=texts)
        return [item.embedding for item in resp.data]

    def to_point(self, article: dict, vector: list[float]) -> PointStruct:
        payload = {"title": article["title"], "url": article["html_url"]}
        return PointStruct(id=article["id"], vector=vector, payload=payload)

    async def index_one(self, article: dict) -> None:
        [vector] = await self.embed([article["body"][:8000]])
        self.qdrant.upsert(collection_name=self.collection, points=[self.to_point(article, vector)])  # bug: ADC101

    async def full_rebuild(self) -> int:
        articles = await self.list_articles()
        await asyncio.gather(*(self.index_one(a) for a in articles))  # bug: ADC502
        return len(articles)

    async def incremental(self, since: str) -> int:
        articles = await self.list_articles(since)
        for start in range(0, len(articles), BATCH):
            chunk = articles[start:start + BATCH]
            vectors = await self.embed([a["body"][:8000] for a in chunk])
            points = [self.to_point(a, v) for a, v in zip(chunk, vectors)]
            await asyncio.to_thread(self.qdrant.upsert, collection_name=self.collection, points=points)
            await asyncio.sleep(BATCH_PAUSE)
        return len(articles)

    async def close(self) -> None:
        await self.http.aclose()
        await self.openai.close()
        await asyncio.to_thread(self.qdrant.close)


async def main(indexer: Indexer, argv: list[str]) -> None:
    try:
        if argv[0] == "full":
            count = await indexer.full_rebuild()
        else:
            count = await indexer.incremental(argv[1])
        log.info("indexed %d articles", count)
    finally:
        await indexer.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    client = QdrantClient(url=os.environ.get("QDRANT_URL", "http://localhost:6333"))
    asyncio.run(main(Indexer(client, "help_articles"), sys.argv[1:]))
