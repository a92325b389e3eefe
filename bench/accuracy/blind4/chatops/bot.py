from __future__ import annotations

import asyncio
import os

from slack_bolt.async_app import AsyncApp

from . import runner

ALLOWED = {"uptime", "df -h", "systemctl status nginx"}
HOSTS = ("web-1", "web-2", "web-3", "db-1")

app = AsyncApp(token=os.environ["SLACK_BOT_TOKEN"])
_ssh_slots = asyncio.Semaphore(4)


async def run_remote(host: str, command: str) -> str:
    async with _ssh_slots:
        rc, out = await asyncio.to_thread(runner.run, host, command)
    return f"*{host}* (rc={rc})\n```{out[-1500:]}```"


@app.command("/fleet")
async def fleet(ack, respond, command):
    await ack()
    cmd = command["text"].strip()
    if cmd not in ALLOWED:
        await respond(f"`{cmd}` is not allowed")
        return
    outputs = await asyncio.gather(*(run_remote(h, cmd) for h in HOSTS))
    await respond("\n".join(outputs))


async def shutdown() -> None:
    await asyncio.to_thread(runner.close_all)
