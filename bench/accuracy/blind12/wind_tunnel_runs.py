"""Automated angle-of-attack sweeps in a university's low-speed wind tunnel.

The campaign file lists the runs. For each run the tunnel controller is
set to the airspeed, the turntable to the angle, and once the flow is
stable the balance DAQ records ten seconds at 5 kHz. Spectra are computed
in worker processes while the tunnel moves on to the next run; there is
one tunnel, so runs happen one after another.
"""
import argparse
import asyncio
import contextlib
import json
import logging
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiofiles
import httpx
import numpy as np

log = logging.getLogger("tunnel")

CONTROLLER = "http://tunnel-ctl.lab.local"
DAQ = ("tunnel-daq.lab.local", 5025)
RATE_HZ = 5000


def spectra(raw: str) -> dict:
    data = np.asarray([[float(v) for v in line.split(",")] for line in raw.splitlines()[:-1]])
    freqs = np.fft.rfftfreq(data.shape[0], 1 / RATE_HZ)
    power = np.abs(np.fft.rfft(data - data.mean(axis=0), axis=0)) ** 2
    peak = int(np.argmax(power[1:, 0])) + 1
    return {"mean": data.mean(axis=0).tolist(), "std": data.std(axis=0).tolist(), "lift_peak_hz": float(freqs[peak])}


async def settle(http: httpx.AsyncClient, speed: float, alpha: float) -> None:
    resp = await http.put("/setpoint", json={"speed_ms": speed, "alpha_deg": alpha})
    resp.raise_for_status()
    async with asyncio.timeout(240):
        while True:
            status = (await http.get("/status")).json()
            if status["stable"] and abs(status["alpha_deg"] - alpha) < 0.05:
                return
            await asyncio.sleep(1)


async def acquire(seconds: int) -> str:
    reader, writer = await asyncio.open_connection(*DAQ)
    try:
        writer.write(f"ACQ {seconds} {RATE_HZ}\n".encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.readuntil(b"\nEND\n"), timeout=seconds + 30)
    finally:
        writer.close()
        await writer.wait_closed()
    return raw.decode()


async def save(out_dir: Path, run: dict, result: dict) -> None:
    async with aiofiles.open(out_dir / f"run-{run['id']:03d}.json", "w") as fh:
        await fh.write(json.dumps({**run, **result}, indent=1))


async def campaign(config: dict, out_dir: Path, pool: ProcessPoolExecutor) -> None:
    loop = asyncio.get_running_loop()
    pending: asyncio.Task | None = None
    async with httpx.AsyncClient(base_url=CONTROLLER, timeout=10) as http:
        try:
            for run in config["runs"]:
                await settle(http, run["speed_ms"], run["alpha_deg"])
                samples = await acquire(config.get("seconds", 10))
                if pending is not None:
                    await pending
                pending = asyncio.create_task(post_process(loop, pool, out_dir, run, samples))
                log.info("run %s recorded", run["id"])
            if pending is not None:
                await pending
        except asyncio.CancelledError:
            log.warning("campaign interrupted, bringing the tunnel down")
            raise
        finally:
            if pending is not None and not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
            await http.put("/setpoint", json={"speed_ms": 0, "alpha_deg": 0})


async def post_process(loop, pool, out_dir: Path, run: dict, raw: str) -> None:
    result = await loop.run_in_executor(pool, spectra, raw)
    await save(out_dir, run, result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("campaign", type=Path)
    parser.add_argument("--out", type=Path, default=Path("results"))
    args = parser.parse_args()
    config = tomllib.loads(args.campaign.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        asyncio.run(campaign(config, args.out, pool))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
