"""Upload weather-balloon (radiosonde) telemetry from a hobby receiving station.

radiosonde_auto_rx sends one JSON datagram per decoded frame over UDP. This
uploader batches them per 10 s, gzips each batch and PUTs it to SondeHub.
The station's metadata is refreshed from SondeHub with `requests` at start.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging

import aiohttp
import requests

log = logging.getLogger("sondeup")
SONDEHUB = "https://api.v2.sondehub.org"
BATCH_SECONDS = 10
UPLOAD_CONCURRENCY = 2


def station_info(callsign: str) -> dict:
    resp = requests.get(f"{SONDEHUB}/listeners/{callsign}", timeout=10)
    return resp.json() if resp.ok else {"uploader_callsign": callsign}


class FrameProtocol(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            return
        if frame.get("type") == "PAYLOAD_SUMMARY" and not self.queue.full():
            self.queue.put_nowait(frame)


async def upload(session: aiohttp.ClientSession, sem: asyncio.Semaphore, station: dict, frames: list) -> None:
    docs = [{**f, "uploader_callsign": station["uploader_callsign"], "software_name": "sondeup"} for f in frames]
    body = await asyncio.to_thread(gzip.compress, json.dumps(docs).encode())
    async with sem:
        for attempt in range(3):
            async with session.put(f"{SONDEHUB}/sondes/telemetry", data=body,
                                   headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}) as r:
                if r.status < 500:
                    return
            await asyncio.sleep(2 ** attempt)
        log.warning("dropping a batch of %d frames after 3 attempts", len(frames))


async def main(station: dict, port: int) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(maxsize=5000)
    transport, _ = await loop.create_datagram_endpoint(lambda: FrameProtocol(queue), local_addr=("0.0.0.0", port))
    sem = asyncio.Semaphore(UPLOAD_CONCURRENCY)
    pending: set[asyncio.Task] = set()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            while True:
                await asyncio.sleep(BATCH_SECONDS)
                frames = [queue.get_nowait() for _ in range(queue.qsize())]
                if frames:
                    task = asyncio.create_task(upload(session, sem, station, frames))
                    pending.add(task)
                    task.add_done_callback(pending.discard)
    finally:
        transport.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("callsign")
    parser.add_argument("--port", type=int, default=55673)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(station_info(args.callsign), args.port))
