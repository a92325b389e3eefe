import json
import logging
import urllib.request
from urllib.error import URLError

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

SLACK_URL = "https://hooks.slack.example.com/services/T000/B000/XXXX"


def _post_json(url, payload, timeout=5):
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status


async def github_hook(request: web.Request) -> web.Response:
    event = request.headers.get("X-GitHub-Event", "unknown")
    payload = await request.json()
    if event != "push":
        return web.Response(status=204)
    repo = payload["repository"]["full_name"]
    commits = len(payload.get("commits", []))
    text = f"{commits} new commit(s) pushed to {repo}"
    try:
        status = _post_json(SLACK_URL, {"text": text})  # bug: ADC101
    except URLError as exc:
        log.error("slack relay failed: %s", exc)
        return web.Response(status=502)
    return web.json_response({"relayed": status == 200})


async def deploy_hook(request: web.Request) -> web.Response:
    payload = await request.json()
    text = f"deployed {payload['service']} {payload['version']}"
    session = aiohttp.ClientSession()  # bug: ADC401
    async with session.post(SLACK_URL, json={"text": text}) as resp:
        return web.json_response({"relayed": resp.status == 200})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/hooks/github", github_hook)
    app.router.add_post("/hooks/deploy", deploy_hook)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8081)
