"""Floodlights for Elmfield Tennis Club: lit only for booked courts after dusk, with an extend button."""
import asyncio
import functools
import json
import logging
import os
import signal
from datetime import datetime, timedelta, timezone

import aiomqtt
import httpx
from astral import LocationInfo
from astral.sun import sun
from gpiozero import Button

log = logging.getLogger("floodlights")

BOOKINGS = "https://clubspark.example/api/v2/venues/elmfield/bookings"
BROKER = "clubhouse-pi.local"
COURTS = {1: "shellypro4pm-c1", 2: "shellypro4pm-c2", 3: "shellypro4pm-c3", 4: "shellypro4pm-c4"}
EXTEND_BUTTONS = {1: 17, 2: 27, 3: 22, 4: 23}
EXTEND_BY = timedelta(minutes=20)
CLUB = LocationInfo("Elmfield", "England", "Europe/London", 51.45, -2.58)


class Lights:
    def __init__(self, mqtt: aiomqtt.Client, loop: asyncio.AbstractEventLoop, buttons: dict[int, Button]) -> None:
        self.mqtt = mqtt
        self.loop = loop
        self.lit_until: dict[int, datetime] = {}
        self._switching = asyncio.Lock()
        for court, button in buttons.items():
            button.when_held = functools.partial(self._held, court)

    def _held(self, court: int) -> None:
        # gpiozero calls this from its own thread
        asyncio.run_coroutine_threadsafe(self.extend(court), self.loop)

    async def extend(self, court: int) -> None:
        async with self._switching:
            now = datetime.now(timezone.utc)
            if court in self.lit_until:
                self.lit_until[court] = max(self.lit_until[court], now) + EXTEND_BY
                log.info("court %s extended to %s", court, self.lit_until[court])

    async def switch(self, court: int, on: bool) -> None:
        await self.mqtt.publish(f"{COURTS[court]}/rpc", json.dumps(
            {"id": 1, "method": "Switch.Set", "params": {"id": 0, "on": on}}), qos=1)

    async def apply(self, booked: dict[int, datetime]) -> None:
        now = datetime.now(timezone.utc)
        dusk = sun(CLUB.observer, date=now.date())["dusk"]
        async with self._switching:
            for court in COURTS:
                until = max(booked.get(court, now), self.lit_until.get(court, now))
                want = now >= dusk - timedelta(minutes=15) and until > now
                if want and court not in self.lit_until:
                    await self.switch(court, True)
                    self.lit_until[court] = until
                elif not want and court in self.lit_until:
                    await self.switch(court, False)
                    del self.lit_until[court]


async def booked_courts(http: httpx.AsyncClient) -> dict[int, datetime]:
    now = datetime.now(timezone.utc)
    resp = await http.get(BOOKINGS, params={"from": now.isoformat(), "to": (now + timedelta(hours=1)).isoformat()})
    resp.raise_for_status()
    ends: dict[int, datetime] = {}
    for b in resp.json()["bookings"]:
        if datetime.fromisoformat(b["start"]) <= now:
            ends[b["court"]] = max(ends.get(b["court"], now), datetime.fromisoformat(b["end"]))
    return ends


async def run(buttons: dict[int, Button]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    headers = {"Authorization": f"Bearer {os.environ['CLUBSPARK_TOKEN']}"}
    async with aiomqtt.Client(BROKER, identifier="floodlights") as mqtt, \
            httpx.AsyncClient(headers=headers, timeout=15) as http:
        lights = Lights(mqtt, loop, buttons)
        while not stop.is_set():
            try:
                await lights.apply(await booked_courts(http))
            except (httpx.HTTPError, aiomqtt.MqttError) as exc:
                log.warning("cycle failed: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=60)
            except asyncio.TimeoutError:
                pass
        for court in list(lights.lit_until):
            await lights.switch(court, False)


def main() -> None:
    buttons = {court: Button(pin, hold_time=2) for court, pin in EXTEND_BUTTONS.items()}
    asyncio.run(run(buttons))


if __name__ == "__main__":
    main()
