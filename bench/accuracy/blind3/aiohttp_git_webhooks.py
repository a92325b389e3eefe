import asyncio
import hashlib
import hmac
import json
import logging
import os

from aiohttp import web

log = logging.getLogger("webhooks")

SECRET = os.environ["WEBHOOK_SECRET"].encode()


def verify_signature(body, header):
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


async def trigger_build(app, repo, ref, sha):
    async with app["http"].post(
        f"{app['ci_url']}/builds", json={"repo": repo, "ref": ref, "sha": sha}
    ) as resp:
        resp.raise_for_status()
        return (await resp.json())["build_id"]


async def update_mirror(app, repo):
    proc = await asyncio.create_subprocess_exec(
        "git", "-C", f"/srv/mirrors/{repo}.git", "fetch", "--prune", "origin",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode:
        log.error("mirror update for %s failed: %s", repo, err.decode(errors="replace"))


async def handle_push(request):
    body = await request.read()
    if not verify_signature(body, request.headers.get("X-Hub-Signature-256")):
        raise web.HTTPForbidden()
    event = json.loads(body)
    repo = event["repository"]["full_name"]
    ref = event["ref"]
    sha = event["after"]

    asyncio.create_task(update_mirror(request.app, repo))  # bug: ADC301

    if request.query.get("wait") == "1":
        build = asyncio.create_task(trigger_build(request.app, repo, ref, sha))  # bug: ADC302
        build_id = await build
        return web.json_response({"build_id": build_id})
    else:
        task = asyncio.create_task(trigger_build(request.app, repo, ref, sha))
        request.app["pending_builds"].add(task)
        task.add_done_callback(request.app["pending_builds"].discard)
        return web.json_response({"queued": True}, status=202)


async def on_shutdown(app):
    pending = list(app["pending_builds"])
    if pending:
        await asyncio.wait(pending, timeout=10)


def create_app(http_session, ci_url):
    app = web.Application()
    app["http"] = http_session
    app["ci_url"] = ci_url
    app["pending_builds"] = set()
    app.router.add_post("/hooks/push", handle_push)
    app.on_shutdown.append(on_shutdown)
    return app
