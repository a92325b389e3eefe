"""Fly a field-survey mission with MAVSDK and land when done or on Ctrl-C."""
import asyncio
import contextlib
import logging
import signal

from mavsdk import System
from mavsdk.mission import MissionItem, MissionPlan

log = logging.getLogger("mission")


def survey_plan(waypoints: list[tuple[float, float]], altitude: float) -> MissionPlan:
    items = [
        MissionItem(lat, lon, altitude, 8.0, True, float("nan"), float("nan"),
                    MissionItem.CameraAction.TAKE_PHOTO, float("nan"), float("nan"),
                    float("nan"), float("nan"), float("nan"), MissionItem.VehicleAction.NONE)
        for lat, lon in waypoints
    ]
    return MissionPlan(items)


async def watch_progress(drone: System) -> None:
    async for progress in drone.mission.mission_progress():
        log.info("waypoint %d/%d", progress.current, progress.total)


async def wait_mission_finished(drone: System) -> None:
    async for progress in drone.mission.mission_progress():
        if progress.total and progress.current == progress.total:
            return


async def wait_until_landed(drone: System) -> None:
    async for in_air in drone.telemetry.in_air():
        if not in_air:
            return


async def fly(address: str, waypoints: list[tuple[float, float]], altitude: float = 40.0) -> None:
    drone = System()
    await drone.connect(system_address=address)
    async for state in drone.core.connection_state():
        if state.is_connected:
            break

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, stop.set)

    # Each step needs the previous one to have completed on the autopilot.
    await drone.mission.set_return_to_launch_after_mission(True)
    await drone.mission.upload_mission(survey_plan(waypoints, altitude))
    await drone.action.arm()
    await drone.mission.start_mission()

    progress = asyncio.create_task(watch_progress(drone))
    finished = asyncio.create_task(wait_mission_finished(drone))
    aborted = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({finished, aborted}, return_when=asyncio.FIRST_COMPLETED)
        if aborted in done:
            log.warning("aborting mission, returning to launch")
            await drone.action.return_to_launch()
        await wait_until_landed(drone)
    finally:
        for task in (progress, finished, aborted):
            task.cancel()
        for task in (progress, finished, aborted):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        loop.remove_signal_handler(signal.SIGINT)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(fly("udp://:14540", [(47.3977, 8.5456), (47.3980, 8.5460), (47.3983, 8.5452)]))
