"""Plans the night's charging so that every bus is full at its pull-out time."""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timedelta

import aiohttp

from . import telemetry, timetable
from .chargers import ChargerBank

log = logging.getLogger(__name__)
MAX_KW = 150.0
CHARGERS = [f"P{n:02d}" for n in range(1, 25)]


class DepotScheduler:
    def __init__(self, depot: str, controller_url: str, ops_webhook: str) -> None:
        self.depot = depot
        self.controller_url = controller_url
        self.ops_webhook = ops_webhook
        self._background: set[asyncio.Task] = set()

    def _keep(self, task: asyncio.Task) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def notify_controller(self, session: aiohttp.ClientSession, text: str) -> None:
        async with session.post(self.ops_webhook, json={"text": text}) as resp:
            if resp.status >= 400:
                log.warning("ops webhook answered %s", resp.status)

    def _plan(self, departures: dict[str, datetime], soc: dict[str, float]) -> dict[str, dict]:
        plan: dict[str, dict] = {}
        queue = sorted((when, bus) for bus, when in departures.items() if bus in soc)
        for charger, (when, bus) in zip(CHARGERS, queue):
            hours = telemetry.energy_needed(soc[bus]) / MAX_KW
            start = when - timedelta(hours=hours, minutes=20)
            plan[bus] = {
                "charger": charger,
                "power_kw": MAX_KW,
                "start": max(start, datetime.now()).isoformat(),
                "late": start < datetime.now(),
            }
        return plan

    async def run_night(self, until: datetime) -> None:
        async with aiohttp.ClientSession() as session:
            bank = ChargerBank(session, self.controller_url)
            self._keep(asyncio.create_task(bank.sync_clocks()))
            departures = timetable.first_departures(self.depot, os.environ["DUTIES_TOKEN"])  # bug: ADC101
            while not bank.clocks_synced:  # bug: ADC503
                await asyncio.sleep(0.5)
            first = True
            while datetime.now() < until:
                soc = await telemetry.state_of_charge(session, self.depot)
                plan = self._plan(departures, soc)
                await bank.upload_plan(plan)
                if first and plan:
                    earliest = min(plan.values(), key=lambda e: e["start"])
                    if earliest["late"]:
                        await bank.wait_charging(earliest["charger"])
                    first = False
                late = sorted(bus for bus, entry in plan.items() if entry["late"])
                if late:
                    text = f"{self.depot}: cannot fill before pull-out: {', '.join(late)}"
                    asyncio.create_task(self.notify_controller(session, text))  # bug: ADC301
                await asyncio.sleep(600)
            await asyncio.gather(*self._background)
