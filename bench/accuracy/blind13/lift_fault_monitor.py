"""Remote monitoring for Apex Lift Services' maintenance contracts.

The lift controllers of each contracted building report through the
vendor's gateway API. A new fault opens a job in the field service system
and dispatches the on-call engineer; a cleared fault closes the job again.
"""
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import httpx

log = logging.getLogger("apex")
GATEWAY = "https://gateway.liftcloud.example/v3"
FSM = "https://fieldservice.apexlifts.example/api"
POLL_S = 20


class Monitor:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.gateway_auth = {"X-Api-Key": os.environ["LIFTCLOUD_KEY"]}
        self.fsm_auth = {"Authorization": f"Bearer {os.environ['FSM_TOKEN']}"}
        self.open_jobs: dict[tuple[str, str], str] = {}  # (site, lift) -> job id

    async def controller_status(self, site: dict) -> list[dict]:
        resp = await self.http.get(f"{GATEWAY}/sites/{site['id']}/lifts", headers=self.gateway_auth)
        resp.raise_for_status()
        return resp.json()["lifts"]

    async def fault_history(self, site: dict, lift_id: str) -> int:
        resp = await self.http.get(f"{FSM}/jobs", params={"site": site["id"], "lift": lift_id, "days": 90},
                                   headers=self.fsm_auth)
        resp.raise_for_status()
        return len(resp.json()["jobs"])

    async def create_job(self, site: dict, lift: dict) -> str:
        body = {"site": site["id"], "lift": lift["id"], "fault": lift["fault_code"], "text": lift.get("fault_text", "")}
        resp = await self.http.post(f"{FSM}/jobs", json=body, headers=self.fsm_auth)
        resp.raise_for_status()
        return resp.json()["id"]

    async def open_fault(self, site: dict, lift: dict) -> None:
        async with asyncio.TaskGroup() as tg:
            history = tg.create_task(self.fault_history(site, lift["id"]))
            job = tg.create_task(self.create_job(site, lift))
        entrapment = lift["fault_code"] in {"E-ENTRAP", "E-DOOR-LOCKED-IN"}
        priority = "emergency" if entrapment else "high" if history.result() >= 3 else "normal"
        resp = await self.http.post(f"{FSM}/jobs/{job.result()}/dispatch", json={"priority": priority},
                                    headers=self.fsm_auth)
        resp.raise_for_status()
        self.open_jobs[(site["id"], lift["id"])] = job.result()
        log.info("%s lift %s: job %s (%s)", site["name"], lift["id"], job.result(), priority)

    async def close_fault(self, site: dict, lift_id: str) -> None:
        job_id = self.open_jobs.pop((site["id"], lift_id))
        url = f"{FSM}/jobs/{job_id}/close"
        closing = asyncio.create_task(self.http.post(url, json={"reason": "cleared"}, headers=self.fsm_auth))  # bug: ADC302
        resp = await closing
        resp.raise_for_status()

    async def check(self, site: dict) -> None:
        lifts = await asyncio.wait_for(self.controller_status(site), 10)
        # The field service system locks a site while a job is written (409 on a
        # second write), so one building's changes are filed one after another.
        for lift in lifts:
            key = (site["id"], lift["id"])
            if lift.get("fault_code") and key not in self.open_jobs:
                await self.open_fault(site, lift)
            elif not lift.get("fault_code") and key in self.open_jobs:
                await self.close_fault(site, lift["id"])

    async def watch(self, site: dict) -> None:
        while True:
            try:
                await self.check(site)
            except asyncio.CancelledError:  # bug: ADC601
                log.warning("%s: status request cancelled, retrying next round", site["name"])
            except (httpx.HTTPError, TimeoutError) as exc:
                log.warning("%s: %s", site["name"], exc)
            await asyncio.sleep(POLL_S)


async def run(sites: list[dict]) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        monitor = Monitor(http)
        try:
            async with asyncio.TaskGroup() as tg:
                for site in sites:
                    tg.create_task(monitor.watch(site))
        except asyncio.CancelledError:
            log.info("stopping; %d jobs still open", len(monitor.open_jobs))
            raise


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO)
    sites = json.loads(Path(argv[1] if len(argv) > 1 else "/etc/apex/sites.json").read_text())
    try:
        asyncio.run(run(sites))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
