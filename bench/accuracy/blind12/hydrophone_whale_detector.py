"""Batch detection of sperm whale clicks in moored hydrophone recordings.

Each recording is an hour of 96 kHz audio (about 1.3 GB of WAV). The
project archive hands out a processing lease per recording, which must
be renewed every 20 seconds or another worker takes the file over.
Detections are posted back to the archive.
"""
import argparse
import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf
from scipy import signal as sps

log = logging.getLogger("clicks")

ARCHIVE = "https://archive.cetacean-lab.example/api"
TOKEN = os.environ.get("ARCHIVE_TOKEN", "")
BAND_HZ = (2_000, 24_000)
LEASE_RENEW_S = 20


def load_clip(path: Path) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    b, a = sps.butter(4, BAND_HZ, btype="bandpass", fs=rate)
    return sps.filtfilt(b, a, audio[:, 0]), rate


def detect_clicks(audio: np.ndarray, rate: int) -> list[dict]:
    envelope = np.abs(sps.hilbert(audio))
    threshold = np.median(envelope) * 12
    peaks, props = sps.find_peaks(envelope, height=threshold, distance=int(rate * 0.3))
    return [{"t": round(p / rate, 4), "amp": float(h)} for p, h in zip(peaks, props["peak_heights"])]


async def keep_lease(http: httpx.AsyncClient, lease_id: str) -> None:
    while True:
        await asyncio.sleep(LEASE_RENEW_S)
        resp = await http.post(f"/leases/{lease_id}/renew")
        resp.raise_for_status()


async def upload(http: httpx.AsyncClient, recording: str, clicks: list[dict]) -> bool:
    for attempt in range(3):
        try:
            resp = await http.post(f"/recordings/{recording}/detections", json={"clicks": clicks})
            resp.raise_for_status()
            return True
        except httpx.TransportError as exc:
            log.warning("upload of %s failed (%s), retrying", recording, exc)
            await asyncio.sleep(2 ** attempt)
        except asyncio.CancelledError:  # bug: ADC601
            log.warning("upload of %s interrupted", recording)
            return False
    return False


async def process(path: Path) -> int:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=ARCHIVE, headers=headers, timeout=30) as http:
        resp = await http.post("/leases", json={"recording": path.stem})
        resp.raise_for_status()
        lease_id = resp.json()["lease_id"]
        renew = asyncio.create_task(keep_lease(http, lease_id))
        try:
            audio, rate = load_clip(path)  # bug: ADC101
            clicks = await asyncio.to_thread(detect_clicks, audio, rate)
            if not await upload(http, path.stem, clicks):
                return -1
            return len(clicks)
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            await http.delete(f"/leases/{lease_id}")


def load_state(state: Path) -> set[str]:
    if not state.exists():
        return set()
    return set(json.loads(state.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description="detect sperm whale clicks in a mooring's recordings")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--state", type=Path, default=Path("done.json"))
    args = parser.parse_args()
    done = load_state(args.state)
    for path in sorted(args.folder.glob("*.wav")):
        if path.stem in done:
            continue
        count = asyncio.run(process(path))  # bug: ADC505
        if count < 0:
            log.error("%s: detections not uploaded", path.name)
            continue
        log.info("%s: %d clicks", path.name, count)
        done.add(path.stem)
        args.state.write_text(json.dumps(sorted(done)))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
