import httpx

GBIF = "https://api.gbif.org/v1"
SPECIFY = "https://specify.herbarium.example.ac.uk/api"


async def resolve_name(client: httpx.AsyncClient, name: str) -> dict:
    resp = await client.get(f"{GBIF}/species/match", params={"name": name, "kingdom": "Plantae"})
    resp.raise_for_status()
    return resp.json()


async def all_collectors(client: httpx.AsyncClient) -> list[dict]:
    collectors: list[dict] = []
    url: str | None = f"{SPECIFY}/agents/?agenttype=1&limit=200"
    while url:
        resp = await client.get(url)
        resp.raise_for_status()
        page = resp.json()
        collectors.extend(page["results"])
        url = page.get("next")
    return collectors
