"""GitLab merge-request bot: checks changelog entries and posts a summary note."""
import asyncio
import logging

import gitlab
from aiohttp import web

log = logging.getLogger("mr-bot")


class ChangelogRenderer:
    def __init__(self, template_store):
        self.templates = template_store

    async def render(self, project, mr_iid, entries):
        template = await self.templates.get(project)
        return template.format(mr=mr_iid, entries="\n".join(f"* {e}" for e in entries))

    def render_sync(self, project, mr_iid, entries):
        """Used by the `mr-bot preview` CLI command."""
        return asyncio.run(self.render(project, mr_iid, entries))


class MergeRequestBot:
    def __init__(self, url, token, renderer):
        self.gl = gitlab.Gitlab(url, private_token=token)
        self.renderer = renderer

    def _changed_paths(self, project_id, mr_iid):
        project = self.gl.projects.get(project_id, lazy=True)
        mr = project.mergerequests.get(mr_iid)
        return [c["new_path"] for c in mr.changes()["changes"]]

    async def on_merge_request(self, payload):
        attrs = payload["object_attributes"]
        if attrs["action"] not in ("open", "update"):
            return
        project_id, mr_iid = payload["project"]["id"], attrs["iid"]
        paths = await asyncio.to_thread(self._changed_paths, project_id, mr_iid)
        entries = [p for p in paths if p.startswith("changelog.d/")]
        project = self.gl.projects.get(project_id, lazy=True)
        mr = project.mergerequests.get(mr_iid)  # bug: ADC101
        if not entries:
            await asyncio.to_thread(mr.notes.create, {"body": "Please add a changelog.d/ entry."})
            return
        summary = self.renderer.render_sync(payload["project"]["path_with_namespace"], mr_iid, entries)  # bug: ADC103
        await asyncio.to_thread(mr.notes.create, {"body": summary})


async def handle(request: web.Request) -> web.Response:
    if request.headers.get("X-Gitlab-Token") != request.app["secret"]:
        raise web.HTTPForbidden()
    payload = await request.json()
    if payload.get("object_kind") == "merge_request":
        await request.app["bot"].on_merge_request(payload)
    return web.json_response({"ok": True})


def make_app(url, token, secret, templates):
    app = web.Application()
    app["bot"] = MergeRequestBot(url, token, ChangelogRenderer(templates))
    app["secret"] = secret
    app.router.add_post("/hooks/gitlab", handle)
    return app
