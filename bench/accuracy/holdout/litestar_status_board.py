from dataclasses import asdict, dataclass

import httpx
from litestar import Litestar, get
from litestar.datastructures import State


@dataclass
class RegionStats:
    region: str
    p95_ms: float
    errors: int


async def region_stats(client: httpx.AsyncClient, region: str) -> RegionStats:
    r = await client.get(f"https://{region}.metrics.internal/api/summary")
    r.raise_for_status()
    d = r.json()
    return RegionStats(region, d["latency"]["p95"], d["errors"])


@get("/board")
async def board(state: State) -> dict:
    client: httpx.AsyncClient = state.http
    stats = []
    for region in state.regions:
        stats.append(await region_stats(client, region))  # bug: ADC501
    return {"regions": [asdict(s) for s in stats]}


@get("/incidents")
async def incidents(state: State) -> list[dict]:
    client: httpx.AsyncClient = state.http
    out: list[dict] = []
    page = 1
    while True:
        r = await client.get("https://status.internal/api/incidents", params={"page": page})
        r.raise_for_status()
        body = r.json()
        out.extend(body["items"])
        if not body["has_more"]:
            break
        page += 1
    return out


async def open_client(app: Litestar) -> None:
    app.state.http = httpx.AsyncClient(timeout=5)
    app.state.regions = ["eu-west-1", "us-east-1", "ap-south-1"]


async def close_client(app: Litestar) -> None:
    await app.state.http.aclose()


app = Litestar(
    route_handlers=[board, incidents],
    on_startup=[open_client],
    on_shutdown=[close_client],
)
