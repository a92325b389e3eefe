import asyncio
import logging
import os

import aiohttp
from aiohttp import web

log = logging.getLogger("orgsync")

GITHUB = "https://api.github.com"
TEAMS = ("platform", "payments", "mobile")


class GitHubClient:
    def __init__(self, token):
        self._token = token
        self._session = None

    async def __aenter__(self):
        self._session = aiohttp.ClientSession(
            base_url=GITHUB,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/vnd.github+json"},
        )
        return self

    async def __aexit__(self, *exc):
        await self._session.close()

    async def paginate(self, path, **params):
        items = []
        url = path
        params = {"per_page": 100, **params}
        while url:
            async with self._session.get(url, params=params) as resp:
                resp.raise_for_status()
                items.extend(await resp.json())
                url = resp.links.get("next", {}).get("url")
                params = None
        return items

    async def team_members(self, org, team):
        return await self.paginate(f"/orgs/{org}/teams/{team}/members")


async def sync_org(token, org):
    async with GitHubClient(token) as gh:
        members = await asyncio.gather(*(gh.team_members(org, t) for t in TEAMS))
    return {team: sorted(m["login"] for m in ms) for team, ms in zip(TEAMS, members)}


async def members_handler(request):
    gh = request.app["github"]
    team = request.match_info["team"]
    members = await gh.team_members(request.app["org"], team)
    return web.json_response(sorted(m["login"] for m in members))


async def health_handler(request):
    session = request.app["probe_session"]
    async with session.get(f"{GITHUB}/rate_limit") as resp:
        data = await resp.json()
    return web.json_response({"remaining": data["resources"]["core"]["remaining"]})


async def github_ctx(app):
    async with GitHubClient(os.environ["GITHUB_TOKEN"]) as gh:
        app["github"] = gh
        yield


async def probe_ctx(app):
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
    app["probe_session"] = session
    try:
        yield
    finally:
        await session.close()


def create_app(org):
    app = web.Application()
    app["org"] = org
    app.cleanup_ctx.extend([github_ctx, probe_ctx])
    app.router.add_get("/teams/{team}/members", members_handler)
    app.router.add_get("/health", health_handler)
    return app


if __name__ == "__main__":
    print(asyncio.run(sync_org(os.environ["GITHUB_TOKEN"], "acme")))
