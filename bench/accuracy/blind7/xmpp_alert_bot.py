"""XMPP bot for the NOC: relays alerts to the ops MUC and answers `!status`.

Alerts come from two places: a spool directory that monitoring scripts drop
JSON files into, and the syslog pipe tailed by a plain thread.
"""
import asyncio
import json
import logging
import os
import threading
from pathlib import Path

import aiohttp
import slixmpp

log = logging.getLogger("noc-bot")

ROOM = "ops@conference.example.org"
SPOOL = Path("/var/spool/noc-alerts")
STATUS_API = "https://status.internal/api/services/"


def drain_spool() -> list[dict]:
    alerts = []
    for path in sorted(SPOOL.glob("*.json")):
        alerts.append(json.loads(path.read_text()))
        path.unlink()
    return alerts


class AlertBot(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str) -> None:
        super().__init__(jid, password)
        self.register_plugin("xep_0045")
        self.add_event_handler("session_start", self.start)
        self.add_event_handler("groupchat_message", self.on_groupchat)
        self.add_event_handler("disconnected", self.on_disconnected)
        self.http: aiohttp.ClientSession | None = None

    async def start(self, event) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        await self.get_roster()
        self.send_presence()
        await self.plugin["xep_0045"].join_muc_wait(ROOM, "noc-bot")
        threading.Thread(target=self.watch_spool, daemon=True).start()  # bug: ADC202
        threading.Thread(target=self.tail_syslog, args=(self.loop,), daemon=True).start()

    async def on_disconnected(self, event) -> None:
        if self.http is not None:
            await self.http.close()
            self.http = None

    async def relay(self, text: str) -> None:
        self.send_message(mto=ROOM, mbody=text, mtype="groupchat")

    async def watch_spool(self) -> None:
        while True:
            alerts = await asyncio.to_thread(drain_spool)
            for alert in alerts:  # in spool order, the room reads them top to bottom
                await self.relay(f"[{alert['severity'].upper()}] {alert['summary']}")
            await asyncio.sleep(2)

    def tail_syslog(self, loop: asyncio.AbstractEventLoop) -> None:
        with open("/run/noc-bot/syslog.pipe", encoding="utf-8", errors="replace") as pipe:
            for line in pipe:
                if " CRIT " in line or " ALERT " in line:
                    asyncio.run_coroutine_threadsafe(self.relay(line.strip()), loop)

    async def fetch_status(self, service: str) -> str:
        async with self.http.get(STATUS_API + service) as resp:
            if resp.status == 404:
                return f"unknown service {service}"
            data = await resp.json()
        return f"{service}: {data['state']} (since {data['since']})"

    async def on_groupchat(self, msg) -> None:
        if msg["mucnick"] == "noc-bot" or not msg["body"].startswith("!status "):
            return
        service = msg["body"].split(maxsplit=1)[1].strip()
        task = asyncio.create_task(self.fetch_status(service))  # bug: ADC302
        reply = await task
        self.send_message(mto=ROOM, mbody=reply, mtype="groupchat")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    bot = AlertBot(os.environ["XMPP_JID"], os.environ["XMPP_PASSWORD"])
    bot.connect()
    bot.process(forever=True)
