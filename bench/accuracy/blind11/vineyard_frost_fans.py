"""Spring frost watch for Hillside Vineyard.

LoRaWAN temperature stations in each block -> wind machines via the vendor portal,
SMS (and a phone call if it keeps dropping) to the vineyard manager.
"""
import asyncio
import json
import logging
import os

import httpx
from twilio.rest import Client as TwilioClient

log = logging.getLogger("frostwatch")

LNS = "https://eu1.cloud.thethings.network/api/v3"
APP_ID = "hillside-frost"
MACHINES_API = "https://portal.windmachines.example/api/v2"
START_AT_C = 0.5
STOP_AT_C = 2.5
CALL_AT_C = -1.5
MANAGER = "+447700900123"
SENDER = "+447700900999"
BLOCKS = {
    "pinot-north": ["st-01", "st-02"],
    "chardonnay-east": ["st-03"],
    "bacchus-south": ["st-04", "st-05"],
}

twilio = TwilioClient(os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"])


async def station_temps(lns: httpx.AsyncClient) -> dict[str, float]:
    resp = await lns.get(
        f"/as/applications/{APP_ID}/packages/storage/uplink_message",
        params={"last": "15m", "order": "received_at"},
    )
    resp.raise_for_status()
    temps: dict[str, float] = {}
    for line in resp.text.splitlines():
        up = json.loads(line)["result"]
        device = up["end_device_ids"]["device_id"]
        temps[device] = up["uplink_message"]["decoded_payload"]["temp_c"]
    return temps


async def set_machines(machines: httpx.AsyncClient, block: str, on: bool) -> None:
    resp = await machines.post(f"/blocks/{block}/{'start' if on else 'stop'}")
    resp.raise_for_status()


async def call_manager(block: str, low: float) -> None:
    twiml = f"<Response><Say>Frost alarm. {block} is at {low:.0f} degrees.</Say></Response>"
    await asyncio.to_thread(twilio.calls.create, to=MANAGER, from_=SENDER, twiml=twiml)


async def watch() -> None:
    running: set[str] = set()
    called: set[str] = set()
    headers = {"Authorization": f"Bearer {os.environ['TTN_API_KEY']}"}
    async with httpx.AsyncClient(base_url=LNS, headers=headers, timeout=20) as lns, \
            httpx.AsyncClient(base_url=MACHINES_API, timeout=20) as machines:
        while True:
            try:
                temps = await station_temps(lns)
                # blocks share one three-phase supply, so machines start one block at a time
                for block, stations in BLOCKS.items():
                    readings = [temps[s] for s in stations if s in temps]
                    if not readings:
                        log.warning("no readings from %s in the last 15 min", block)
                        continue
                    low = min(readings)
                    if low <= START_AT_C and block not in running:
                        await set_machines(machines, block, True)
                        running.add(block)
                        twilio.messages.create(  # bug: ADC101
                            to=MANAGER, from_=SENDER,
                            body=f"Frost: wind machines started in {block} ({low:.1f} C)",
                        )
                    elif low >= STOP_AT_C and block in running:
                        await set_machines(machines, block, False)
                        running.discard(block)
                        called.discard(block)
                    if low <= CALL_AT_C and block not in called:
                        await call_manager(block, low)
                        called.add(block)
            except:  # bug: ADC601
                log.exception("frost watch cycle failed")
            await asyncio.sleep(120)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(watch())
