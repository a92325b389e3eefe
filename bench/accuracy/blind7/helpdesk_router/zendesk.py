"""Thin async Zendesk client over a caller-provided aiohttp session."""
import aiohttp

SUBDOMAIN = "acme"
BASE = f"https://{SUBDOMAIN}.zendesk.com/api/v2"


class Zendesk:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def get_ticket(self, ticket_id: int) -> dict:
        async with self.session.get(f"{BASE}/tickets/{ticket_id}.json") as resp:
            resp.raise_for_status()
            return (await resp.json())["ticket"]

    async def group_backlog(self, group_id: int) -> int:
        query = f"type:ticket status<solved group:{group_id}"
        async with self.session.get(f"{BASE}/search/count.json", params={"query": query}) as resp:
            resp.raise_for_status()
            return (await resp.json())["count"]

    async def assign(self, ticket_id: int, group_id: int, tags: list[str]) -> None:
        body = {"ticket": {"group_id": group_id, "additional_tags": tags}}
        async with self.session.put(f"{BASE}/tickets/{ticket_id}.json", json=body) as resp:
            resp.raise_for_status()

    async def incremental_tickets(self, start_time: int):
        url = f"{BASE}/incremental/tickets/cursor.json?start_time={start_time}"
        while url:
            async with self.session.get(url) as resp:
                resp.raise_for_status()
                page = await resp.json()
            for ticket in page["tickets"]:
                yield ticket
            url = None if page["end_of_stream"] else page["after_url"]
