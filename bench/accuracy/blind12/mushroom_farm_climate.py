"""Climate control for an oyster and shiitake mushroom farm.

Each grow room has CO2, humidity and temperature sensors and an air
handling unit. Fruiting rooms need fresh air when CO2 rises; the farm's
one steam humidifier can serve two rooms at once. The harvest crew's
tablet waits for a room to reach "pick" state.
"""
import asyncio
import json
import logging
import os

import aiomqtt
import asyncpg

log = logging.getLogger("mushrooms")

BROKER = os.environ.get("MQTT_HOST", "10.8.0.3")
DB_DSN = os.environ.get("FARM_DSN", "postgresql://farm@localhost/climate")
CO2_MAX_PPM = {"fruiting": 800, "spawn-run": 5000}
RH_MIN = 88.0
ROOMS = ("grow-1", "grow-2", "grow-3", "grow-4", "grow-5", "grow-6")


class Farm:
    def __init__(self, mqtt: aiomqtt.Client, pool: asyncpg.Pool) -> None:
        self.mqtt = mqtt
        self.pool = pool
        self.humidifier = asyncio.Semaphore(2)
        self.room_state: dict[str, str] = {}
        self.state_changed = asyncio.Condition()
        self.humidifying: dict[str, asyncio.Task] = {}

    async def set_state(self, room: str, state: str) -> None:
        async with self.state_changed:
            self.room_state[room] = state
            self.state_changed.notify_all()

    async def wait_for_state(self, room: str, state: str, timeout: float) -> bool:
        async with self.state_changed:
            try:
                async with asyncio.timeout(timeout):
                    await self.state_changed.wait_for(lambda: self.room_state.get(room) == state)
            except TimeoutError:
                return False
        return True

    async def humidify(self, room: str, seconds: int) -> None:
        async with self.humidifier:
            await self.mqtt.publish(f"farm/{room}/steam/set", "OPEN")
            try:
                await asyncio.sleep(seconds)
            except asyncio.CancelledError:
                log.warning("humidifying %s cut short", room)
                raise
            finally:
                await self.mqtt.publish(f"farm/{room}/steam/set", "CLOSED")

    async def on_reading(self, room: str, reading: dict) -> None:
        phase = await self.pool.fetchval("SELECT phase FROM rooms WHERE code = $1", room)
        if reading["co2_ppm"] > CO2_MAX_PPM.get(phase, 1000):
            await self.mqtt.publish(f"farm/{room}/ahu/fresh_air", str(min(100, reading["co2_ppm"] // 20)))
        if reading["rh"] < RH_MIN and phase == "fruiting" and room not in self.humidifying:
            task = asyncio.create_task(self.humidify(room, 45))
            self.humidifying[room] = task
            task.add_done_callback(lambda _t, room=room: self.humidifying.pop(room, None))
        if phase == "fruiting" and reading.get("cap_cm", 0) >= 6:
            await self.set_state(room, "pick")
        await self.pool.execute(
            "INSERT INTO readings (room, ts, co2_ppm, rh, temp_c) VALUES ($1, now(), $2, $3, $4)",
            room, reading["co2_ppm"], reading["rh"], reading["temp_c"],
        )

    async def listen(self) -> None:
        await self.mqtt.subscribe("farm/+/climate")
        async for message in self.mqtt.messages:
            room = message.topic.value.split("/")[1]
            try:
                await self.on_reading(room, json.loads(message.payload))
            except (ValueError, KeyError) as exc:
                log.warning("bad reading from %s: %s", room, exc)
            except Exception:
                log.exception("reading from %s not handled", room)

    async def harvest_call(self, room: str) -> None:
        if await self.wait_for_state(room, "pick", timeout=12 * 3600):
            await self.mqtt.publish("farm/crew/tablet", json.dumps({"room": room, "action": "pick"}))
        else:
            log.info("%s not ready within 12 hours", room)


async def main() -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=3)
    try:
        async with aiomqtt.Client(BROKER) as mqtt:
            farm = Farm(mqtt, pool)
            async with asyncio.TaskGroup() as tg:
                tg.create_task(farm.listen())
                for room in ROOMS:
                    tg.create_task(farm.harvest_call(room))
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
