"""Trigger a CI pipeline and wait for it to finish (used by the release script)."""
import asyncio
import logging
import os
import sys
import time

import httpx

log = logging.getLogger("ci-wait")

CI = os.environ.get("CI_API", "https://ci.example.com/api/v1")
TERMINAL = {"passed", "failed", "canceled", "errored"}


async def trigger(client: httpx.AsyncClient, repo: str, ref: str) -> int:
    r = await client.post(f"/repos/{repo}/builds", json={"ref": ref})
    r.raise_for_status()
    return r.json()["number"]


async def wait_for_build(client: httpx.AsyncClient, repo: str, number: int, timeout: float = 3600) -> str:
    # the build runs on another system: asking it every few seconds is the only way to know
    deadline = time.monotonic() + timeout
    status = "pending"
    while status not in TERMINAL:
        if time.monotonic() > deadline:
            raise TimeoutError(f"build {number} still {status}")
        await asyncio.sleep(10)
        r = await client.get(f"/repos/{repo}/builds/{number}")
        r.raise_for_status()
        status = r.json()["status"]
        log.info("build %d: %s", number, status)
    return status


async def download_artifacts(client: httpx.AsyncClient, repo: str, number: int) -> list[str]:
    names = []
    r = await client.get(f"/repos/{repo}/builds/{number}/artifacts")
    for art in r.json():
        # the artifact API allows one download at a time per token
        async with client.stream("GET", art["url"]) as resp:
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
        names.append(f"{art['name']} ({size} bytes)")
    return names


async def main(repo: str, ref: str) -> int:
    headers = {"Authorization": f"Bearer {os.environ['CI_TOKEN']}"}
    async with httpx.AsyncClient(base_url=CI, headers=headers, timeout=30) as client:
        number = await trigger(client, repo, ref)
        status = await wait_for_build(client, repo, number)
        if status != "passed":
            return 1
        for name in await download_artifacts(client, repo, number):
            print(name)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
