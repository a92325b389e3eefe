"""Ground-station telemetry for survey drones (MAVSDK): arm, watch battery, stream positions."""
import asyncio
import logging

from mavsdk import System

log = logging.getLogger("gcs")

LOW_BATTERY = 0.25


class DroneLink:
    def __init__(self, address: str, uplink) -> None:
        self.address = address
        self.uplink = uplink  # async telemetry publisher (NATS / websocket)
        self.drone = System()
        self.armed = False
        self.returning = False
        self._tasks: set[asyncio.Task] = set()

    def _keep(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def connect(self) -> None:
        await self.drone.connect(system_address=self.address)
        async for state in self.drone.core.connection_state():
            if state.is_connected:
                break
        async for health in self.drone.telemetry.health():
            if health.is_global_position_ok and health.is_home_position_ok:
                break

    async def _track_armed(self) -> None:
        async for armed in self.drone.telemetry.armed():
            self.armed = armed

    async def _watch_battery(self) -> None:
        async for battery in self.drone.telemetry.battery():
            await self.uplink.publish("battery", {"remaining": battery.remaining_percent})
            if battery.remaining_percent < LOW_BATTERY and not self.returning:
                self.returning = True
                log.warning("battery low, returning to launch")
                await self.drone.action.return_to_launch()

    async def _stream_positions(self) -> None:
        async for pos in self.drone.telemetry.position():
            await self.uplink.publish("position", {"lat": pos.latitude_deg, "lon": pos.longitude_deg,
                                                   "alt": pos.relative_altitude_m})

    async def start_survey(self, altitude: float) -> None:
        await self.connect()
        self._keep(self._track_armed())
        self._keep(self._stream_positions())
        asyncio.ensure_future(self._watch_battery())  # bug: ADC301
        await self.drone.action.set_takeoff_altitude(altitude)
        await self.drone.action.arm()
        while not self.armed:  # bug: ADC503
            await asyncio.sleep(0.1)
        await self.drone.action.takeoff()
        await self.drone.mission.start_mission()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
