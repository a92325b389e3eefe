"""Search-as-you-type API over OpenSearch: products, brands and help articles."""
import asyncio
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Query, Request
from opensearchpy import AsyncOpenSearch, OpenSearch

INDICES = ("products", "brands", "help-articles")
HOSTS = [os.environ.get("OPENSEARCH_URL", "https://search.internal:9200")]


@asynccontextmanager
async def lifespan(app: FastAPI):
    client = AsyncOpenSearch(hosts=HOSTS, http_compress=True, timeout=2)
    app.state.search = client
    try:
        yield
    finally:
        await client.close()


app = FastAPI(lifespan=lifespan)


async def suggest_from(client: AsyncOpenSearch, index: str, prefix: str, size: int) -> list[str]:
    body = {
        "size": size,
        "_source": ["title"],
        "query": {"match_phrase_prefix": {"title": {"query": prefix, "max_expansions": 20}}},
    }
    resp = await client.search(index=index, body=body)
    return [hit["_source"]["title"] for hit in resp["hits"]["hits"]]


@app.get("/suggest")
async def suggest(request: Request, q: str = Query(min_length=2), size: int = 5):
    client = request.app.state.search
    results = await asyncio.gather(*(suggest_from(client, index, q, size) for index in INDICES))
    return dict(zip(INDICES, results))


@app.get("/products/{sku}/similar")
async def similar(sku: str, request: Request):
    client = request.app.state.search
    doc = await client.get(index="products", id=sku)
    query = {"more_like_this": {"fields": ["title", "tags"], "like": [{"_index": "products", "_id": sku}]}}
    resp = await client.search(index="products", body={"size": 8, "query": query})
    return {"for": doc["_source"]["title"], "similar": [h["_id"] for h in resp["hits"]["hits"]]}


def create_indices(settings_by_index: dict[str, dict]) -> None:
    """Run by `python -m search_suggest_api create-indices` during deploys."""
    client = OpenSearch(hosts=HOSTS)
    try:
        for index, settings in settings_by_index.items():
            if not client.indices.exists(index=index):
                client.indices.create(index=index, body=settings)
    finally:
        client.close()


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:2] == ["create-indices"]:
        with open(sys.argv[2]) as f:
            create_indices(json.load(f))
