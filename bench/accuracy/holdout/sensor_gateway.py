"""Reads a serial weather station in a thread and forwards readings to the API."""
import asyncio
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import serial

log = logging.getLogger("gateway")

API = "https://telemetry.example.net"
executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="calib")


class SerialReader(threading.Thread):
    def __init__(self, port: str, out: "queue.Queue[bytes]") -> None:
        super().__init__(daemon=True)
        self.port = port
        self.out = out
        self.stop_flag = threading.Event()

    def run(self) -> None:
        with serial.Serial(self.port, 115200, timeout=1) as s:
            while not self.stop_flag.is_set():
                line = s.readline()
                if line:
                    self.out.put(line)


def parse(raw: bytes) -> dict:
    fields = dict(part.split("=", 1) for part in raw.decode().strip().split(";") if "=" in part)
    return {k: float(v) for k, v in fields.items()}


def fit_calibration(samples: list[dict]) -> dict:
    n = len(samples)
    return {k: sum(s[k] for s in samples) / n for k in samples[0]}


async def forward(readings: "queue.Queue[bytes]", client: httpx.AsyncClient) -> None:
    window: list[dict] = []
    offsets: dict = {}
    while True:
        raw = readings.get()  # bug: ADC101
        sample = parse(raw)
        window.append(sample)
        if len(window) == 600:
            fut = executor.submit(fit_calibration, window)
            offsets = fut.result()  # bug: ADC101
            window = []
        corrected = {k: v - offsets.get(k, 0.0) for k, v in sample.items()}
        r = await client.post("/ingest", json=corrected)
        if r.status_code >= 500:
            log.warning("ingest returned %s", r.status_code)


async def main(port: str = "/dev/ttyUSB0") -> None:
    readings: "queue.Queue[bytes]" = queue.Queue(maxsize=1000)
    reader = SerialReader(port, readings)
    reader.start()
    async with httpx.AsyncClient(base_url=API, timeout=10) as client:
        try:
            await forward(readings, client)
        finally:
            reader.stop_flag.set()
            await asyncio.to_thread(reader.join, 5)
            executor.shutdown(wait=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
