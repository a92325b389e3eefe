"""Post deploy annotations to Grafana dashboards and a chat webhook (CI step)."""
import argparse
import asyncio
import os
import time

import aiohttp
from requests import post as http_post

GRAFANA = os.environ.get("GRAFANA_URL", "https://grafana.example.org")
TOKEN = os.environ.get("GRAFANA_TOKEN", "")
CHAT_HOOK = os.environ.get("CHAT_WEBHOOK", "")
DASHBOARDS = {
    "staging": ["api-overview", "worker-latency"],
    "production": ["api-overview", "worker-latency", "slo-burn", "db-health"],
}


async def dashboard_ids(session: aiohttp.ClientSession, uids: list[str]) -> list[int]:
    async def one(uid: str) -> int:
        async with session.get(f"{GRAFANA}/api/dashboards/uid/{uid}") as resp:
            return (await resp.json())["dashboard"]["id"]

    return list(await asyncio.gather(*(one(u) for u in uids)))


async def annotate(env: str, version: str, commit: str) -> int:
    session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"})  # bug: ADC401
    ids = await dashboard_ids(session, DASHBOARDS[env])
    now_ms = int(time.time() * 1000)
    payloads = [
        {"dashboardId": i, "time": now_ms, "tags": ["deploy", env], "text": f"{version} ({commit[:8]})"}
        for i in ids
    ]

    async def push(body: dict) -> int:
        async with session.post(f"{GRAFANA}/api/annotations", json=body) as resp:
            return resp.status

    statuses = await asyncio.gather(*(push(p) for p in payloads))
    if CHAT_HOOK:
        http_post(CHAT_HOOK, json={"text": f"Deployed {version} to {env}"}, timeout=5)  # bug: ADC101
    return sum(1 for s in statuses if s == 200)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("version")
    parser.add_argument("--commit", default=os.environ.get("CI_COMMIT_SHA", "unknown"))
    parser.add_argument("--env", action="append", choices=sorted(DASHBOARDS), required=True)
    args = parser.parse_args()
    for env in args.env:
        ok = asyncio.run(annotate(env, args.version, args.commit))  # bug: ADC505
        print(f"{env}: {ok} dashboards annotated")


if __name__ == "__main__":
    main()
