"""GitHub App webhook bot: labels new PRs, greets first-time contributors, pings reviewers."""
import asyncio
import logging
import os

import aiohttp
from aiohttp import web
from gidgethub import routing, sansio
from gidgethub.aiohttp import GitHubAPI

log = logging.getLogger("triage-bot")
router = routing.Router()
background: set[asyncio.Task] = set()

AREA_LABELS = {"docs/": "area: docs", "src/parser/": "area: parser", ".github/": "area: ci"}


async def label_by_paths(gh, pull):
    labels = set()
    async for f in gh.getiter(pull["url"] + "/files"):
        labels.update(label for prefix, label in AREA_LABELS.items() if f["filename"].startswith(prefix))
    if labels:
        await gh.post(pull["issue_url"] + "/labels", data={"labels": sorted(labels)})


@router.register("pull_request", action="opened")
async def pr_opened(event, gh, *args, **kwargs):
    pull = event.data["pull_request"]
    task = asyncio.create_task(label_by_paths(gh, pull))
    background.add(task)
    task.add_done_callback(background.discard)
    if pull["author_association"] == "FIRST_TIME_CONTRIBUTOR":
        gh.post(pull["comments_url"], data={"body": "Thanks for your first PR! A maintainer will review it soon."})  # bug: ADC201


@router.register("pull_request", action="review_requested")
async def review_requested(event, gh, *args, **kwargs):
    pull = event.data["pull_request"]
    names = []
    for reviewer in pull["requested_reviewers"]:
        user = await gh.getitem(reviewer["url"])  # bug: ADC501
        names.append(user.get("name") or user["login"])
    await gh.post(pull["comments_url"], data={"body": "Review requested from " + ", ".join(names)})


@router.register("issues", action="opened")
async def issue_opened(event, gh, *args, **kwargs):
    issue = event.data["issue"]
    if "crash" in issue["title"].lower():
        asyncio.create_task(gh.post(issue["url"] + "/labels", data={"labels": ["bug"]}))  # bug: ADC301


async def webhook(request: web.Request) -> web.Response:
    body = await request.read()
    event = sansio.Event.from_http(request.headers, body, secret=os.environ["GH_SECRET"])
    gh = GitHubAPI(request.app["session"], "triage-bot", oauth_token=request.app["token"])
    await router.dispatch(event, gh)
    return web.Response(status=200)


async def on_startup(app: web.Application) -> None:
    app["session"] = aiohttp.ClientSession()
    app["token"] = os.environ["GH_TOKEN"]


async def on_cleanup(app: web.Application) -> None:
    await asyncio.gather(*background, return_exceptions=True)
    await app["session"].close()


app = web.Application()
app.router.add_post("/webhook", webhook)
app.on_startup.append(on_startup)
app.on_cleanup.append(on_cleanup)
