#!/usr/bin/env python3
"""Collects merged pull requests between two tags and prints release notes."""
import argparse
import asyncio
import os
import re
import sys

import httpx

API = "https://api.github.com"
CATEGORY = re.compile(r"^(feat|fix|docs|perf|refactor|chore)(\(.+\))?!?:", re.I)


async def compare(client, repo, base, head):
    resp = await client.get(f"/repos/{repo}/compare/{base}...{head}")
    resp.raise_for_status()
    return [c["sha"] for c in resp.json()["commits"]]


async def pulls_for_commits(client, repo, shas, limit):
    sem = asyncio.Semaphore(limit)

    async def one(sha):
        async with sem:
            resp = await client.get(f"/repos/{repo}/commits/{sha}/pulls")
            resp.raise_for_status()
            return resp.json()

    pages = await asyncio.gather(*(one(sha) for sha in shas))
    seen = {}
    for pulls in pages:
        for pr in pulls:
            if pr.get("merged_at"):
                seen[pr["number"]] = pr
    return sorted(seen.values(), key=lambda pr: pr["merged_at"])


def render(pulls):
    groups = {}
    for pr in pulls:
        m = CATEGORY.match(pr["title"])
        key = m.group(1).lower() if m else "other"
        groups.setdefault(key, []).append(f"- {pr['title']} (#{pr['number']}, @{pr['user']['login']})")
    return "\n\n".join(f"### {k}\n" + "\n".join(v) for k, v in sorted(groups.items()))


async def collect(repo, base, head, token, limit):
    headers = {"Accept": "application/vnd.github+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(base_url=API, headers=headers, timeout=20) as client:
        shas = await compare(client, repo, base, head)
        return await pulls_for_commits(client, repo, shas, limit)


def collect_sync(repo, base, head, token=None, limit=8):
    """Used by the release bot, which is plain synchronous code."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(collect(repo, base, head, token, limit))
    finally:
        loop.close()


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("repo")
    parser.add_argument("base")
    parser.add_argument("head", nargs="?", default="HEAD")
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args(argv)
    pulls = asyncio.run(collect(args.repo, args.base, args.head, os.environ.get("GITHUB_TOKEN"), args.parallel))
    print(render(pulls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
