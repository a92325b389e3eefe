"""Run an HPLC injection sequence on the QC lab's instrument and pull the raw files to the LIMS share.

usage: hplc-run sequences/2026-12-03-batch41.json
"""
import asyncio
import json
import logging
import sys
import threading
from pathlib import Path

import httpx
import paramiko

log = logging.getLogger("hplc")

INSTRUMENT = "http://hplc-02.qc.lan:8080/api"
INSTRUMENT_PC = "hplc-02-pc.qc.lan"
LIMS_SHARE = Path("/mnt/lims/raw/hplc-02")
MAX_PRESSURE_BAR = 580


def fetch_raw(remote_path: str, local_path: Path) -> None:
    ssh = paramiko.SSHClient()
    ssh.load_system_host_keys()
    ssh.connect(INSTRUMENT_PC, username="qcdata", key_filename="/etc/hplc/id_ed25519", timeout=20)
    try:
        with ssh.open_sftp() as sftp:
            sftp.get(remote_path, str(local_path))
    finally:
        ssh.close()


class PressureWatch:
    """Polls the pump's analogue pressure output on a thread; sets `tripped` on over-pressure."""

    def __init__(self, client: httpx.Client):
        self.client = client
        self.tripped = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pressure", daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(0.5):
            bar = self.client.get(f"{INSTRUMENT}/pump/pressure").json()["bar"]
            if bar > MAX_PRESSURE_BAR:
                log.error("pressure %.0f bar, stopping the sequence", bar)
                self.tripped.set()
                return


async def wait_until_idle(http: httpx.AsyncClient, limit_s: float) -> dict:
    async with asyncio.timeout(limit_s):
        while True:
            status = (await http.get(f"{INSTRUMENT}/status")).json()
            if status["state"] in ("idle", "error"):
                return status
            await asyncio.sleep(5)


async def run_sequence(sequence: dict, watch: PressureWatch) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        await http.post(f"{INSTRUMENT}/method", json={"name": sequence["method"]})
        tripped = asyncio.create_task(asyncio.to_thread(watch.tripped.wait))
        try:
            # one column, one needle: injections run in the order of the sequence
            for inj in sequence["injections"]:
                if tripped.done():
                    raise RuntimeError("over-pressure trip")
                await http.post(f"{INSTRUMENT}/inject", json={"vial": inj["vial"], "volume_ul": inj["volume_ul"]})
                status = await wait_until_idle(http, inj["run_min"] * 60 + 300)
                if status["state"] == "error":
                    raise RuntimeError(f"instrument error on vial {inj['vial']}: {status['message']}")
                local = LIMS_SHARE / sequence["batch"] / f"{inj['sample_id']}.dx"
                await asyncio.to_thread(fetch_raw, status["last_raw_file"], local)
                log.info("vial %s (%s) done -> %s", inj["vial"], inj["sample_id"], local)
        finally:
            watch.stopped.set()
            watch.tripped.set()
            await tripped
            await http.post(f"{INSTRUMENT}/pump/standby")


def main() -> None:
    sequence = json.loads(Path(sys.argv[1]).read_text())
    (LIMS_SHARE / sequence["batch"]).mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=5) as sync_http:
        watch = PressureWatch(sync_http)
        watch.thread.start()
        asyncio.run(run_sequence(sequence, watch))
        watch.thread.join(timeout=2)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
