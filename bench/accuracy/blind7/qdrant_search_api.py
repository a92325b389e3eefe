"""Semantic search API over the help-centre and forum collections (FastAPI).

Embeds the query with OpenAI, searches Qdrant, and reranks the top hits
with a local cross-encoder.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from openai import AsyncOpenAI
from qdrant_client import AsyncQdrantClient
from sentence_transformers import CrossEncoder

COLLECTIONS = ("help_articles", "forum_answers", "release_notes")
EMBED_MODEL = "text-embedding-3-small"
embed_slots = asyncio.Semaphore(16)
RERANKER = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
rerank_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rerank")


def rerank(query: str, hits: list[dict]) -> list[dict]:
    scores = RERANKER.predict([(query, h["text"]) for h in hits])
    return [h for _, h in sorted(zip(scores, hits), key=lambda p: p[0], reverse=True)]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.qdrant = AsyncQdrantClient(url="http://qdrant:6333")
    app.state.openai = AsyncOpenAI()
    try:
        yield
    finally:
        await app.state.qdrant.close()
        await app.state.openai.close()
        rerank_pool.shutdown(wait=False)


app = FastAPI(lifespan=lifespan)


async def embed(request: Request, text: str) -> list[float]:
    async with embed_slots:
        resp = await request.app.state.openai.embeddings.create(model=EMBED_MODEL, input=[text])
    return resp.data[0].embedding


async def search_one(request: Request, collection: str, vector: list[float], limit: int) -> list[dict]:
    points = await request.app.state.qdrant.search(collection_name=collection, query_vector=vector, limit=limit)
    return [{"collection": collection, "score": p.score, **p.payload} for p in points]


@app.get("/search")
async def search(q: str, request: Request, collection: str = "help_articles", limit: int = 10):
    if collection not in COLLECTIONS:
        raise HTTPException(404, "unknown collection")
    vector = await embed(request, q)
    hits = await search_one(request, collection, vector, min(limit, 50))
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(rerank_pool, rerank, q, hits)


@app.get("/search/all")
async def search_all(q: str, request: Request, limit: int = 5):
    vector = await embed(request, q)
    per_collection = await asyncio.gather(*(search_one(request, c, vector, min(limit, 20)) for c in COLLECTIONS))
    hits = [h for group in per_collection for h in group]
    return await asyncio.to_thread(rerank, q, hits)


@app.get("/healthz")
async def healthz(request: Request):
    try:
        async with asyncio.timeout(2):
            await request.app.state.qdrant.get_collections()
    except (asyncio.TimeoutError, OSError):
        raise HTTPException(503, "qdrant unavailable")
    return {"ok": True}
