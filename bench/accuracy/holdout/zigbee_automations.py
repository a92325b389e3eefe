"""Home automations on top of zigbee2mqtt: motion lights, a door chime, and a
nightly "everything off"."""
import asyncio
import datetime as dt
import json
import logging

import aiomqtt

log = logging.getLogger("automations")

BROKER = "mqtt.home.arpa"
MOTION_TIMEOUT = 120


class Lights:
    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self._off_timers: dict[str, asyncio.Task] = {}

    async def set(self, light: str, on: bool, brightness: int = 200) -> None:
        payload = {"state": "ON" if on else "OFF"}
        if on:
            payload["brightness"] = brightness
        await self.client.publish(f"zigbee2mqtt/{light}/set", json.dumps(payload))

    async def _off_later(self, light: str) -> None:
        await asyncio.sleep(MOTION_TIMEOUT)
        await self.set(light, False)

    async def motion(self, light: str) -> None:
        old = self._off_timers.pop(light, None)
        if old is not None:
            old.cancel()
        hour = dt.datetime.now().hour
        await self.set(light, True, brightness=60 if hour >= 22 or hour < 6 else 220)
        self._off_timers[light] = asyncio.create_task(self._off_later(light))


async def nightly_off(lights: Lights, all_lights: list[str]) -> None:
    while True:
        now = dt.datetime.now()
        target = now.replace(hour=1, minute=0, second=0, microsecond=0)
        if target <= now:
            target += dt.timedelta(days=1)
        await asyncio.sleep((target - now).total_seconds())
        async with asyncio.TaskGroup() as tg:
            for light in all_lights:
                tg.create_task(lights.set(light, False))


async def run(client: aiomqtt.Client) -> None:
    lights = Lights(client)
    mapping = {"hall_motion": "hall_ceiling", "stairs_motion": "stairs_strip"}
    await client.subscribe("zigbee2mqtt/+")
    night = asyncio.create_task(nightly_off(lights, ["hall_ceiling", "stairs_strip", "kitchen_spots"]))
    try:
        async for message in client.messages:
            device = str(message.topic).split("/", 1)[1]
            data = json.loads(message.payload)
            if device in mapping and data.get("occupancy"):
                await lights.motion(mapping[device])
            elif device == "front_door" and data.get("contact") is False:
                await client.publish("zigbee2mqtt/chime/set", json.dumps({"melody": 3}))
    finally:
        pending = [night, *lights._off_timers.values()]
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def main() -> None:
    backoff = 1
    while True:
        try:
            async with aiomqtt.Client(BROKER) as client:
                backoff = 1
                await run(client)
        except aiomqtt.MqttError as exc:
            log.warning("MQTT error %s; retrying in %ss", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 60)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
