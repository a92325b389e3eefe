"""Index maintenance. `rebuild` is a sync admin script; `search` is used by the API."""

import json
import logging

import requests
from elasticsearch import AsyncElasticsearch

log = logging.getLogger(__name__)
ES_URL = "http://search.internal:9200"

es = AsyncElasticsearch(ES_URL)


async def search(index: str, body: dict) -> list[dict]:
    result = await es.search(index=index, body=body)
    return [hit["_source"] for hit in result["hits"]["hits"]]


def rebuild(index: str, docs_path: str) -> int:
    requests.delete(f"{ES_URL}/{index}", timeout=30)
    lines = []
    with open(docs_path) as fh:
        for n, line in enumerate(fh):
            lines.append(json.dumps({"index": {"_index": index, "_id": n}}))
            lines.append(line.strip())
    resp = requests.post(f"{ES_URL}/_bulk", data="\n".join(lines) + "\n",
                         headers={"Content-Type": "application/x-ndjson"}, timeout=300)
    resp.raise_for_status()
    return len(lines) // 2


if __name__ == "__main__":
    import sys

    print(rebuild(sys.argv[1], sys.argv[2]), "documents indexed")
