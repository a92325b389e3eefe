"""Collect merged PR titles between two tags for the release notes."""
import asyncio
import os
import re
import sys

import httpx

API = "https://api.github.com"
NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


async def commits_between(client: httpx.AsyncClient, repo: str, base: str, head: str) -> list[str]:
    shas: list[str] = []
    url: str | None = f"/repos/{repo}/compare/{base}...{head}?per_page=250"
    while url:
        r = await client.get(url)
        r.raise_for_status()
        shas += [c["sha"] for c in r.json()["commits"]]
        m = NEXT.search(r.headers.get("link", ""))
        url = m.group(1) if m else None
    return shas


async def merged_prs(client: httpx.AsyncClient, repo: str, since: str) -> list[dict]:
    query = """
    query($q: String!, $after: String) {
      search(query: $q, type: ISSUE, first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ... on PullRequest { number title mergeCommit { oid } labels(first: 5) { nodes { name } } } }
      }
    }"""
    prs: list[dict] = []
    cursor = None
    while True:
        r = await client.post(
            "/graphql",
            json={"query": query, "variables": {"q": f"repo:{repo} is:pr is:merged merged:>={since}", "after": cursor}},
        )
        r.raise_for_status()
        data = r.json()["data"]["search"]
        prs.extend(data["nodes"])
        if not data["pageInfo"]["hasNextPage"]:
            return prs
        cursor = data["pageInfo"]["endCursor"]


async def main(repo: str, base: str, head: str) -> None:
    headers = {"Authorization": f"Bearer {os.environ['GITHUB_TOKEN']}", "Accept": "application/vnd.github+json"}
    async with httpx.AsyncClient(base_url=API, headers=headers, timeout=30) as client:
        base_info = (await client.get(f"/repos/{repo}/commits/{base}")).json()
        since = base_info["commit"]["committer"]["date"][:10]
        shas, prs = await asyncio.gather(commits_between(client, repo, base, head), merged_prs(client, repo, since))
    in_range = set(shas)
    for pr in prs:
        if pr.get("mergeCommit") and pr["mergeCommit"]["oid"] in in_range:
            labels = ",".join(n["name"] for n in pr["labels"]["nodes"])
            print(f"- {pr['title']} (#{pr['number']}) [{labels}]")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
