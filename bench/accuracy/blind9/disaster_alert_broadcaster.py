"""Pushes civil-defence alerts (CAP feed) to SMS gateways and web push subscribers."""
from __future__ import annotations

import asyncio
import json
import logging
import signal

import aiohttp
import asyncpg

log = logging.getLogger("alerts")
CAP_FEED = "https://alerts.civildefence.example/cap/latest.json"
SMS_GATEWAYS = ("https://sms-a.telco.example/send", "https://sms-b.telco.example/send")
PUSH_RELAY = "https://push-relay.internal/send"


class Broadcaster:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.stop = asyncio.Event()
        self.seen: set[str] = set()
        self.areas: dict[str, list[str]] = {}

    async def reload(self) -> None:
        rows = await self.pool.fetch("SELECT area_code, geojson FROM alert_areas")
        self.areas = {r["area_code"]: json.loads(r["geojson"]) for r in rows}
        log.info("reloaded %d areas", len(self.areas))

    async def push_one(self, session: aiohttp.ClientSession, sub: dict, alert: dict) -> None:
        async with session.post(PUSH_RELAY, json={"subscription": sub, "payload": alert}) as resp:
            if resp.status == 410:
                await self.pool.execute("DELETE FROM push_subscriptions WHERE endpoint = $1", sub["endpoint"])

    async def sms_one(self, session: aiohttp.ClientSession, gateway: str, alert: dict) -> None:
        async with session.post(gateway, json={"cell_broadcast": True, "text": alert["headline"]}) as resp:
            resp.raise_for_status()

    async def fan_out(self, session: aiohttp.ClientSession, alert: dict) -> None:
        # both SMS gateways at once; there are only ever these two
        await asyncio.gather(*(self.sms_one(session, g, alert) for g in SMS_GATEWAYS))
        subs = await self.pool.fetch(
            "SELECT endpoint, keys FROM push_subscriptions WHERE area_code = ANY($1::text[])", alert["areas"]
        )
        await asyncio.gather(*(self.push_one(session, dict(s), alert) for s in subs))  # bug: ADC502

    async def poll_feed(self, session: aiohttp.ClientSession) -> None:
        # the CAP feed is someone else's server: polling it is the only option
        while not self.stop.is_set():
            async with session.get(CAP_FEED) as resp:
                feed = await resp.json()
            # alerts go out in issue order: an update must never overtake the alert it amends
            for alert in feed["alerts"]:
                if alert["identifier"] in self.seen:
                    continue
                self.seen.add(alert["identifier"])
                await self.fan_out(session, alert)
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=20)
            except asyncio.TimeoutError:
                pass

    async def run(self) -> None:
        self.pool = await asyncpg.create_pool(self.dsn)
        await self.reload()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload)  # bug: ADC202
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
                await self.poll_feed(session)
        finally:
            await self.pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Broadcaster("postgresql://alerts@db/alerts").run())
