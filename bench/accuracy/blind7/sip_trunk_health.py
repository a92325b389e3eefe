"""SIP trunk health checker for the call centre.

Asks Asterisk (ARI) for the state of each PJSIP trunk every 30 s and
updates the matching component on the internal status page.
"""
import asyncio
import contextlib
import logging
import os
import signal

import httpx

log = logging.getLogger("trunk-health")

ARI = "http://pbx.internal:8088/ari"
STATUSPAGE = "https://status.internal/api/v1/components/"
TRUNKS = ("voys-primary", "voys-backup", "twilio-elastic")
COMPONENT = {"voys-primary": 11, "voys-backup": 12, "twilio-elastic": 13}


class TrunkHealth:
    def __init__(self, ari: httpx.AsyncClient, status: httpx.AsyncClient) -> None:
        self.ari = ari
        self.status = status
        self.last: dict[str, str] = {}
        self.stop = asyncio.Event()
        self.changed = asyncio.Event()

    async def trunk_state(self, trunk: str) -> str:
        try:
            resp = await self.ari.get(f"{ARI}/endpoints/PJSIP/{trunk}")
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("%s: %s", trunk, exc)
            return "unknown"
        return resp.json().get("state", "unknown")

    async def check_all(self) -> None:
        states = await asyncio.gather(*(self.trunk_state(t) for t in TRUNKS))
        for trunk, state in zip(TRUNKS, states):
            if self.last.get(trunk) != state:
                self.last[trunk] = state
                self.changed.set()

    async def reporter(self) -> None:
        try:
            while True:
                await self.changed.wait()
                self.changed.clear()
                body = {t: ("operational" if s == "online" else "major_outage") for t, s in self.last.items()}
                await asyncio.gather(*(
                    self.status.patch(f"{STATUSPAGE}{COMPONENT[t]}", json={"status": v}) for t, v in body.items()
                ))
        except asyncio.CancelledError:
            log.info("reporter stopping with %d trunks known", len(self.last))
            raise

    async def run(self) -> None:
        reporter = asyncio.create_task(self.reporter())
        try:
            while not self.stop.is_set():
                await self.check_all()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=30)
        finally:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter


async def main() -> None:
    auth = httpx.BasicAuth("health", os.environ["ARI_PASSWORD"])
    async with httpx.AsyncClient(auth=auth, timeout=5) as ari, httpx.AsyncClient(timeout=10) as status:
        health = TrunkHealth(ari, status)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, health.stop.set)
        await health.run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
