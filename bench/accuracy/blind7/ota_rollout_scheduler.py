"""Staged firmware rollout for the thermostat fleet.

Wave 1 is 1% of devices, then 10%, then everyone. A wave only starts when
the previous one is healthy, because a bad image must not reach the next
wave.

    python ota_rollout_scheduler.py T200 4.12.0 image.bin
"""
import asyncio
import hashlib
import logging
import sys

import httpx

log = logging.getLogger("rollout")

FLEET_API = "https://fleet.internal/api"
WAVES = (0.01, 0.10, 1.0)


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Rollout:
    def __init__(self, http: httpx.AsyncClient, model: str, version: str) -> None:
        self.http = http
        self.model = model
        self.version = version
        self.slots = asyncio.Semaphore(25)
        self.telemetry: set[asyncio.Task] = set()

    async def record(self, event: str, **fields) -> None:
        await self.http.post(f"{FLEET_API}/rollouts/events", json={"event": event, "version": self.version, **fields})

    def emit(self, event: str, **fields) -> None:
        task = asyncio.create_task(self.record(event, **fields))
        self.telemetry.add(task)
        task.add_done_callback(self.telemetry.discard)

    async def update_device(self, serial: str, sha256: str) -> bool:
        async with self.slots:
            resp = await self.http.post(f"{FLEET_API}/devices/{serial}/ota", json={"version": self.version, "sha256": sha256})
            if resp.status_code != 202:
                return False
            async with asyncio.timeout(900):
                while True:
                    await asyncio.sleep(20)
                    state = (await self.http.get(f"{FLEET_API}/devices/{serial}/ota")).json()["state"]
                    if state in ("installed", "failed", "rolled_back"):
                        break
        self.emit("device_done", serial=serial, state=state)
        return state == "installed"

    async def run_wave(self, fraction: float, sha256: str) -> float:
        resp = await self.http.get(f"{FLEET_API}/devices", params={"model": self.model, "sample": fraction,
                                                                    "exclude_version": self.version, "limit": 2000})
        serials = [d["serial"] for d in resp.json()["devices"]]
        results = await asyncio.gather(*(self.update_device(s, sha256) for s in serials), return_exceptions=True)
        ok = sum(1 for r in results if r is True)
        return ok / len(serials) if serials else 1.0

    async def run(self, sha256: str) -> bool:
        for fraction in WAVES:
            success = await self.run_wave(fraction, sha256)
            self.emit("wave_done", fraction=fraction, success=success)
            if success < 0.98:
                log.error("wave %.0f%% only %.1f%% healthy, halting rollout", fraction * 100, success * 100)
                return False
        return True


async def main(model: str, version: str, image: str) -> int:
    sha256 = await asyncio.to_thread(sha256_file, image)
    async with httpx.AsyncClient(timeout=30) as http:
        rollout = Rollout(http, model, version)
        ok = await rollout.run(sha256)
        await asyncio.gather(*rollout.telemetry, return_exceptions=True)
    return 0 if ok else 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(asyncio.run(main(*sys.argv[1:4])))
