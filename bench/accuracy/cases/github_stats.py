import asyncio
import logging
import os

import aiohttp

log = logging.getLogger(__name__)

API = "https://api.github.com"
TOKEN = os.environ.get("GITHUB_TOKEN")


def _headers():
    headers = {"Accept": "application/vnd.github+json"}
    if TOKEN:
        headers["Authorization"] = f"Bearer {TOKEN}"
    return headers


async def repo_stars(owner, repo):
    session = aiohttp.ClientSession(headers=_headers())  # bug: ADC401
    async with session.get(f"{API}/repos/{owner}/{repo}") as resp:
        resp.raise_for_status()
        data = await resp.json()
    return data["stargazers_count"]


async def all_issues(owner, repo):
    """Every open issue, following GitHub's pagination."""
    issues = []
    url = f"{API}/repos/{owner}/{repo}/issues?state=open&per_page=100"
    async with aiohttp.ClientSession(headers=_headers()) as session:
        while url:
            async with session.get(url) as resp:
                resp.raise_for_status()
                issues.extend(await resp.json())
                url = resp.links.get("next", {}).get("url")
    return issues


async def main():
    stars = await repo_stars("python", "cpython")
    issues = await all_issues("python", "cpython")
    print(f"{stars} stars, {len(issues)} open issues")


if __name__ == "__main__":
    asyncio.run(main())
