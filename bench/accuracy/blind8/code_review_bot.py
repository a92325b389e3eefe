"""GitHub App that runs semgrep on pull requests and posts one review.

aiohttp server + gidgethub. Webhooks must be answered within 10 s, so the
review runs in the background.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import aiohttp
from aiohttp import web
from gidgethub import aiohttp as gh_aiohttp
from gidgethub import apps, routing, sansio

APP_ID = os.environ["GITHUB_APP_ID"]
PRIVATE_KEY = Path(os.environ["GITHUB_APP_KEY_PATH"]).read_text()
WEBHOOK_SECRET = os.environ["GITHUB_WEBHOOK_SECRET"]
WORK_ROOT = Path(os.environ.get("REVIEW_WORK_ROOT", "/var/tmp/review-bot"))
router = routing.Router()
_running: set[asyncio.Task] = set()


async def installation_api(session: aiohttp.ClientSession, installation_id: int) -> gh_aiohttp.GitHubAPI:
    gh = gh_aiohttp.GitHubAPI(session, "semgrep-review-bot")
    token = await apps.get_installation_access_token(
        gh, installation_id=installation_id, app_id=APP_ID, private_key=PRIVATE_KEY)
    return gh_aiohttp.GitHubAPI(session, "semgrep-review-bot", oauth_token=token["token"])


async def review(session: aiohttp.ClientSession, installation_id: int, pr: dict) -> None:
    gh = await installation_api(session, installation_id)
    workdir = WORK_ROOT / f"pr-{pr['id']}-{pr['head']['sha'][:12]}"
    try:
        clone_url = pr["head"]["repo"]["clone_url"].replace("https://", f"https://x-access-token:{gh.oauth_token}@")
        subprocess.run(["git", "clone", "--depth", "50", "--branch", pr["head"]["ref"], clone_url, str(workdir)],  # bug: ADC101
                       check=True, capture_output=True)
        proc = await asyncio.create_subprocess_exec(
            "semgrep", "scan", "--json", "--config", "p/ci", str(workdir),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        out, _ = await proc.communicate()
        findings = json.loads(out)["results"]
        comments = [{"path": os.path.relpath(f["path"], workdir), "line": f["end"]["line"],
                     "body": f"**{f['check_id']}**: {f['extra']['message']}"} for f in findings[:50]]
        await gh.post(f"{pr['url']}/reviews", data={
            "commit_id": pr["head"]["sha"], "event": "COMMENT", "comments": comments,
            "body": f"semgrep found {len(findings)} issue(s)." if findings else "semgrep found nothing.",
        })
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


@router.register("pull_request", action="opened")
@router.register("pull_request", action="synchronize")
async def on_pull_request(event: sansio.Event, session: aiohttp.ClientSession) -> None:
    asyncio.create_task(review(session, event.data["installation"]["id"], event.data["pull_request"]))  # bug: ADC301


@router.register("check_suite", action="rerequested")
async def on_rerun(event: sansio.Event, session: aiohttp.ClientSession) -> None:
    prs = event.data["check_suite"]["pull_requests"]
    if not prs:
        return
    gh = await installation_api(session, event.data["installation"]["id"])
    full = await gh.getitem(prs[0]["url"])
    task = asyncio.create_task(review(session, event.data["installation"]["id"], full))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def webhook(request: web.Request) -> web.Response:
    body = await request.read()
    event = sansio.Event.from_http(request.headers, body, secret=WEBHOOK_SECRET)
    await router.dispatch(event, request.app["session"])
    return web.Response(status=202)


async def session_ctx(app: web.Application):
    async with aiohttp.ClientSession() as session:
        app["session"] = session
        yield


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    app.cleanup_ctx.append(session_ctx)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=int(os.environ.get("PORT", "8080")))
