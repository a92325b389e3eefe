"""Prune old image tags from the self-hosted Docker registry.

    python container_registry_gc.py --keep 10 team-a/api team-a/worker team-b/web

Keeps the newest N tags per repository (by manifest creation date) plus
anything tagged `latest` or `release-*`; deletes the rest by digest.
"""
import argparse
import asyncio
import json
import logging
import os

import httpx

log = logging.getLogger("registry-gc")

REGISTRY = os.environ.get("REGISTRY_URL", "https://registry.internal")
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"


async def list_tags(client: httpx.AsyncClient, repo: str) -> list[str]:
    tags: list[str] = []
    url = f"/v2/{repo}/tags/list?n=100"
    while url:
        resp = await client.get(url)
        resp.raise_for_status()
        tags.extend(resp.json().get("tags") or [])
        url = resp.links.get("next", {}).get("url")
    return tags


async def manifest_info(client: httpx.AsyncClient, repo: str, tag: str) -> tuple[str, str]:
    resp = await client.get(f"/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_V2})
    resp.raise_for_status()
    digest = resp.headers["Docker-Content-Digest"]
    config_digest = resp.json()["config"]["digest"]
    blob = await client.get(f"/v2/{repo}/blobs/{config_digest}", follow_redirects=True)
    return digest, json.loads(blob.content)["created"]


async def delete_manifest(client, repo, digest, sem: asyncio.Semaphore) -> None:
    async with sem:
        resp = await client.delete(f"/v2/{repo}/manifests/{digest}")
    if resp.status_code not in (202, 404):
        resp.raise_for_status()


async def gc_repo(repo: str, keep: int, dry_run: bool) -> int:
    auth = (os.environ["REGISTRY_USER"], os.environ["REGISTRY_PASSWORD"])
    async with httpx.AsyncClient(base_url=REGISTRY, auth=auth, timeout=30) as client:
        tags = await list_tags(client, repo)
        info = {}
        for tag in tags:
            info[tag] = await manifest_info(client, repo, tag)  # bug: ADC501
        protected = {t for t in tags if t == "latest" or t.startswith("release-")}
        newest = sorted(tags, key=lambda t: info[t][1], reverse=True)[:keep]
        keep_digests = {info[t][0] for t in protected | set(newest)}
        doomed = {info[t][0] for t in tags} - keep_digests
        log.info("%s: %d tags, deleting %d manifests", repo, len(tags), len(doomed))
        if not dry_run:
            sem = asyncio.Semaphore(4)
            await asyncio.gather(*(delete_manifest(client, repo, d, sem) for d in doomed))
        return len(doomed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="+")
    parser.add_argument("--keep", type=int, default=10)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    total = 0
    for repo in args.repos:
        total += asyncio.run(gc_repo(repo, args.keep, args.dry_run))  # bug: ADC505
    log.info("done, %d manifests %s", total, "would be deleted" if args.dry_run else "deleted")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
