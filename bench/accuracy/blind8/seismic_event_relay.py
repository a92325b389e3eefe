"""Earthquake relay for a university seismology lab's lobby display.

Polls the USGS FDSN event feed every minute, and for each new local event
fetches a short waveform from the lab's own station with ObsPy (sync, run in
a thread pool) to draw a thumbnail. Displays connect over websockets.
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import websockets
from obspy import UTCDateTime
from obspy.clients.fdsn import Client as FDSNClient

log = logging.getLogger("quakes")
FEED = "https://earthquake.usgs.gov/fdsnws/event/1/query"
REGION = {"latitude": 46.2, "longitude": 7.4, "maxradiuskm": 400}
displays: set = set()
obspy_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="obspy")
station = FDSNClient("ETH")


def waveform_png(origin_iso: str) -> bytes:
    t = UTCDateTime(origin_iso)
    st = station.get_waveforms("CH", "SIMPL", "*", "HHZ", t - 10, t + 90)
    buf = io.BytesIO()
    st.plot(outfile=buf, format="png", size=(800, 250))
    return buf.getvalue()


async def poll_feed(http: httpx.AsyncClient, seen: set[str]) -> list[dict]:
    since = (datetime.now(timezone.utc) - timedelta(hours=6)).isoformat(timespec="seconds")
    resp = await http.get(FEED, params={"format": "geojson", "starttime": since, "minmagnitude": 1.5, **REGION})
    resp.raise_for_status()
    fresh = [f for f in resp.json()["features"] if f["id"] not in seen]
    seen.update(f["id"] for f in fresh)
    return fresh


async def relay(http: httpx.AsyncClient) -> None:
    loop = asyncio.get_running_loop()
    seen: set[str] = set()
    while True:
        try:
            fresh = await poll_feed(http, seen)
        except httpx.HTTPError as exc:
            log.warning("USGS feed: %s", exc)
            fresh = []
        if fresh:
            newest = max(fresh, key=lambda f: f["properties"]["mag"])
            origin = datetime.fromtimestamp(newest["properties"]["time"] / 1000, timezone.utc).isoformat()
            png = await loop.run_in_executor(obspy_pool, waveform_png, origin)
            websockets.broadcast(displays, json.dumps({"events": fresh, "largest": newest["id"]}))
            websockets.broadcast(displays, png)
        await asyncio.sleep(60)


async def display(ws) -> None:
    displays.add(ws)
    try:
        await ws.wait_closed()
    finally:
        displays.discard(ws)


async def main() -> None:
    async with httpx.AsyncClient(timeout=20) as http, websockets.serve(display, "0.0.0.0", 8765):
        async with asyncio.TaskGroup() as tg:
            tg.create_task(relay(http))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(main())
    finally:
        obspy_pool.shutdown(wait=False, cancel_futures=True)
