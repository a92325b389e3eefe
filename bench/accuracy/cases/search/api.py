from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from search import index
from search.query import build, parse


async def search_endpoint(request: Request) -> JSONResponse:
    text, filters = parse(request.query_params.get("q", ""))
    body = build(text, filters, size=min(int(request.query_params.get("size", 20)), 100))
    hits = await index.search("articles", body)
    return JSONResponse({"hits": hits, "count": len(hits)})


async def shutdown() -> None:
    await index.es.close()


app = Starlette(routes=[Route("/search", search_endpoint)], on_shutdown=[shutdown])
