"""Rocket.Chat deploy bot: `!deploy <service> <env>` runs helm and follows
the rollout; `!changelog <service>` prints what a deploy would ship.
"""
import asyncio
import logging
import os

import httpx
from rocketchat_async import RocketChat

log = logging.getLogger("deploybot")

GITEA = "https://git.internal/api/v1"


async def commits_since_last_deploy(service: str) -> list[str]:
    async with httpx.AsyncClient(base_url=GITEA, timeout=15) as gitea:
        tag = (await gitea.get(f"/repos/platform/{service}/tags", params={"limit": 1})).json()[0]
        resp = await gitea.get(f"/repos/platform/{service}/compare/{tag['name']}...main")
    return [c["commit"]["message"].splitlines()[0] for c in resp.json()["commits"]]


def changelog_text(service: str) -> str:
    """Also used by the release CLI (`deploybot changelog api`)."""
    lines = asyncio.run(commits_since_last_deploy(service))
    return "\n".join(f"- {line}" for line in lines) or "(nothing new)"


class DeployBot:
    def __init__(self, rc: RocketChat) -> None:
        self.rc = rc
        self.background: set[asyncio.Task] = set()

    async def helm(self, *args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            "helm", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await proc.communicate()
        return proc.returncode, out.decode()[-1500:]

    async def watch_rollout(self, channel_id: str, service: str, env: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            "kubectl", "--context", env, "rollout", "status", f"deploy/{service}", "--timeout=10m",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        verdict = "rolled out" if proc.returncode == 0 else "rollout FAILED"
        await self.rc.send_message(f"{service}@{env}: {verdict}\n```{out.decode()[-800:]}```", channel_id)

    async def deploy(self, channel_id: str, service: str, env: str) -> None:
        deploy_lock = asyncio.Lock()  # bug: ADC504
        async with deploy_lock:
            await self.rc.send_message(f"deploying {service} to {env}...", channel_id)
            code, out = await self.helm("upgrade", "--install", service, f"charts/{service}",
                                        "--kube-context", env, "-f", f"values/{env}.yaml")
            if code != 0:
                await self.rc.send_message(f"helm failed:\n```{out}```", channel_id)
                return
        asyncio.create_task(self.watch_rollout(channel_id, service, env))  # bug: ADC301

    async def on_message(self, channel_id: str, sender_id: str, msg_id: str, thread_id, text: str, qualifier) -> None:
        parts = text.split()
        if parts[:1] == ["!deploy"] and len(parts) == 3:
            task = asyncio.create_task(self.deploy(channel_id, parts[1], parts[2]))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        elif parts[:1] == ["!changelog"] and len(parts) == 2:
            await self.rc.send_message(changelog_text(parts[1]), channel_id)  # bug: ADC103


async def main() -> None:
    rc = RocketChat()
    await rc.start(os.environ["RC_WS_URL"], os.environ["RC_USER"], os.environ["RC_PASSWORD"])
    bot = DeployBot(rc)
    await rc.subscribe_to_channel_messages(os.environ["RC_DEPLOY_CHANNEL"], bot.on_message)
    await rc.run_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
