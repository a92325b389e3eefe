"""Home-lab backup coordinator.

Every night it runs `restic backup` on each host over ssh (two at a time),
then `restic check` on the repository, and reports to ntfy. Prometheus
scrapes the state from a thread started by prometheus_client.
"""
import asyncio
import logging
import subprocess
import threading
import time

import httpx
from prometheus_client import REGISTRY, start_http_server
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("backupd")

HOSTS = ["nas", "pihole", "homeassistant", "jellyfin", "gitea"]
REPO = "rest:https://backup.lan:8000/homelab"
NTFY = "https://ntfy.lan/backups"

_state_lock = threading.Lock()
STATE: dict[str, tuple[str, float]] = {}


class StateCollector:
    def collect(self):
        gauge = GaugeMetricFamily("backup_last_success", "last success per host", labels=["host"])
        with _state_lock:
            for host, (status, ts) in STATE.items():
                if status == "ok":
                    gauge.add_metric([host], ts)
        yield gauge


async def notify(http: httpx.AsyncClient, text: str, priority: str = "default") -> None:
    await http.post(NTFY, content=text, headers={"Priority": priority})


async def backup_host(http: httpx.AsyncClient, host: str, sem: asyncio.Semaphore) -> bool:
    async with sem:
        with _state_lock:  # bug: ADC102
            STATE[host] = ("running", time.time())
            await notify(http, f"backup of {host} started", "low")
        proc = subprocess.run(  # bug: ADC101
            ["ssh", f"root@{host}", "restic", "-r", REPO, "backup", "/", "--exclude-caches", "--one-file-system"],
            capture_output=True, text=True, timeout=6 * 3600,
        )
    ok = proc.returncode == 0
    with _state_lock:
        STATE[host] = ("ok" if ok else "failed", time.time())
    if not ok:
        await notify(http, f"backup of {host} FAILED:\n{proc.stderr[-500:]}", "high")
    return ok


async def check_repo(http: httpx.AsyncClient) -> None:
    proc = await asyncio.create_subprocess_exec(
        "restic", "-r", REPO, "check", "--read-data-subset=2%",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        await notify(http, "restic check FAILED:\n" + out.decode()[-800:], "urgent")


async def nightly() -> None:
    sem = asyncio.Semaphore(2)
    async with httpx.AsyncClient(timeout=10) as http:
        results = await asyncio.gather(*(backup_host(http, h, sem) for h in HOSTS))
        await check_repo(http)
        await notify(http, f"nightly backups: {sum(results)}/{len(HOSTS)} ok")


async def scheduler() -> None:
    while True:
        now = time.localtime()
        wait = ((24 + 2 - now.tm_hour) % 24 or 24) * 3600 - now.tm_min * 60 - now.tm_sec
        await asyncio.sleep(wait)
        await nightly()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    REGISTRY.register(StateCollector())
    start_http_server(9310)
    asyncio.run(scheduler())
