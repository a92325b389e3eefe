"""Radiosonde flights from the Ardmore Hill upper-air station.

The SDR decoder on the roof streams decoded sonde frames as JSON lines over
TCP. Frames are uploaded to SondeHub in batches; after burst the landing
point is predicted so that the recovery team can drive out for the sonde.
"""
import asyncio
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import httpx

log = logging.getLogger("upperair")
DECODER = ("127.0.0.1", 55673)
SONDEHUB = "https://api.v2.sondehub.org"
STATION = {"uploader_callsign": "ARDMORE-UA", "uploader_position": [54.91, -6.37, 212]}
SUMMARIES = Path("/var/lib/upperair/flights")


def to_sondehub(frame: dict) -> dict:
    return {
        **STATION,
        "software_name": "ardmore-ua",
        "software_version": "2.1",
        "serial": frame["serial"],
        "datetime": frame["datetime"],
        "lat": frame["lat"],
        "lon": frame["lon"],
        "alt": frame["alt"],
        "vel_v": frame["vel_v"],
        "time_received": datetime.now(timezone.utc).isoformat(),
    }


def write_summary(serial: str, frames: int, surface: dict) -> None:
    SUMMARIES.mkdir(parents=True, exist_ok=True)
    (SUMMARIES / f"{serial}.json").write_text(json.dumps({"frames": frames, "surface": surface}))


class Flight:
    def __init__(self, http: httpx.AsyncClient, recovery_webhook: str) -> None:
        self.http = http
        self.recovery_webhook = recovery_webhook
        self.batch: list[dict] = []
        self.max_alt = 0.0
        self.burst: dict | None = None
        self.serial = "unknown"

    async def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        resp = await self.http.put(f"{SONDEHUB}/sondes/telemetry", json=batch)
        resp.raise_for_status()

    async def predict_landing(self, frame: dict) -> dict:
        params = {
            "launch_latitude": frame["lat"],
            "launch_longitude": frame["lon"] % 360,
            "launch_altitude": frame["alt"],
            "launch_datetime": frame["datetime"],
            "ascent_rate": 5,
            "burst_altitude": frame["alt"] + 1,
            "descent_rate": abs(frame["vel_v"]),
        }
        resp = await self.http.get(f"{SONDEHUB}/tawhiri", params=params)
        resp.raise_for_status()
        land = resp.json()["prediction"][-1]["trajectory"][-1]
        return {"lat": land["latitude"], "lon": (land["longitude"] + 180) % 360 - 180, "at": land["datetime"]}

    async def tell_recovery(self, landing: dict) -> None:
        text = f"Sonde {self.serial}: landing {landing['lat']:.4f}, {landing['lon']:.4f} at {landing['at']}"
        resp = await self.http.post(self.recovery_webhook, json={"text": text})
        resp.raise_for_status()

    async def track(self) -> int:
        reader, writer = await asyncio.open_connection(*DECODER)
        frames = 0
        try:
            while line := await reader.readline():
                frame = json.loads(line)
                frames += 1
                self.serial = frame["serial"]
                self.batch.append(to_sondehub(frame))
                if len(self.batch) >= 20:
                    await self.flush()
                self.max_alt = max(self.max_alt, frame["alt"])
                if self.burst is None and frame["alt"] < self.max_alt - 300:
                    self.burst = frame
                    prediction = asyncio.create_task(self.predict_landing(frame))  # bug: ADC302
                    landing = await prediction
                    await self.tell_recovery(landing)
                if self.burst is not None and frame["alt"] < 1500:
                    break  # the signal is lost behind the hills below this
        finally:
            await self.flush()
            writer.close()
            await writer.wait_closed()
            return frames  # bug: ADC601


async def surface_obs(http: httpx.AsyncClient) -> dict:
    resp = await http.get("http://aws.ardmore.lan/api/current")
    resp.raise_for_status()
    return resp.json()


async def main() -> None:
    async with httpx.AsyncClient(timeout=20, headers={"User-Agent": "ardmore-ua/2.1"}) as http:
        flight = Flight(http, os.environ["RECOVERY_WEBHOOK"])
        surface = asyncio.create_task(surface_obs(http))
        frames = await flight.track()
        await asyncio.to_thread(write_summary, flight.serial, frames, await surface)
        log.info("flight %s: %d frames, burst at %.0f m", flight.serial, frames, flight.max_alt)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
