"""Flaky-test quarantine bot: Slack slash command plus a weekly scan of main-branch CI runs."""
import argparse
import asyncio
import os
import xml.etree.ElementTree as ET
from collections import Counter

import httpx
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

CI_API = "https://ci.example.dev/api/v2"
CHANNEL = "#ci-flakes"
MIN_FAILURES = 3
RUNS_SCANNED = 40

app = AsyncApp(token=os.environ.get("SLACK_BOT_TOKEN"))
state: dict = {}


def parse_junit(blobs: list[bytes]) -> list[tuple[str, bool]]:
    outcomes = []
    for blob in blobs:
        for case in ET.fromstring(blob).iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            outcomes.append((f"{case.get('classname')}::{case.get('name')}", failed))
    return outcomes


class FlakeScanner:
    def __init__(self, ci: httpx.AsyncClient, slack: AsyncWebClient):
        self.ci = ci
        self.slack = slack

    async def junit(self, repo: str, run_id: int) -> bytes:
        resp = await self.ci.get(f"/repos/{repo}/runs/{run_id}/artifacts/junit.xml")
        resp.raise_for_status()
        return resp.content

    async def scan(self, repo: str) -> list[str]:
        resp = await self.ci.get(f"/repos/{repo}/runs", params={"branch": "main", "limit": RUNS_SCANNED})
        resp.raise_for_status()
        runs = resp.json()["runs"][:RUNS_SCANNED]
        blobs = await asyncio.gather(*(self.junit(repo, r["id"]) for r in runs))
        outcomes = await asyncio.to_thread(parse_junit, blobs)
        runs_seen, failures = Counter(t for t, _ in outcomes), Counter(t for t, f in outcomes if f)
        return sorted(t for t, n in failures.items() if n >= MIN_FAILURES and runs_seen[t] > n)

    async def post_summary(self, repo: str, flaky: list[str]) -> None:
        lines = "\n".join(f"- `{t}`" for t in flaky[:30])
        await self.slack.chat_postMessage(channel=CHANNEL, text=f"*{repo}*: {len(flaky)} flaky tests\n{lines}")

    async def report(self, repo: str) -> None:
        flaky = await self.scan(repo)
        if flaky:
            await asyncio.to_thread(self.post_summary, repo, flaky)  # bug: ADC202


@app.command("/quarantine")
async def quarantine(ack, command, respond):
    await ack()
    repo, _, test_id = command["text"].strip().partition(" ")
    resp = await state["ci"].post(f"/repos/{repo}/quarantine", json={"test": test_id, "by": command["user_name"]})
    if resp.status_code == 409:
        await respond(f"`{test_id}` is already quarantined.")
        return
    resp.raise_for_status()
    await respond(f"Quarantined `{test_id}` in {repo}; it will be skipped on main until fixed.")


def ci_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=CI_API, headers={"Authorization": f"token {os.environ['CI_TOKEN']}"}, timeout=30
    )


async def scan_and_report(repo: str) -> None:
    async with ci_client() as ci:
        await FlakeScanner(ci, AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"])).report(repo)


def scan_all(repos: list[str]) -> None:
    for repo in repos:
        asyncio.run(scan_and_report(repo))  # bug: ADC505


async def serve() -> None:
    async with ci_client() as ci:
        state["ci"] = ci
        await AsyncSocketModeHandler(app, os.environ["SLACK_APP_TOKEN"]).start_async()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="flaky")
    parser.add_argument("command", choices=["serve", "scan-all"])
    parser.add_argument("repos", nargs="*")
    args = parser.parse_args()
    if args.command == "scan-all":
        scan_all(args.repos)
    else:
        asyncio.run(serve())
