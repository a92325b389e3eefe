"""Runs a firing schedule: ramp the setpoint, wait for the kiln, hold, next segment."""
import asyncio
import logging

from . import alerts, logbook

log = logging.getLogger(__name__)


class FiringRunner:
    def __init__(self, db):
        self.db = db
        self.active: dict[str, asyncio.Task] = {}
        self._tasks: set[asyncio.Task] = set()

    async def start(self, kiln, schedule: dict) -> int:
        if kiln.name in self.active:
            raise RuntimeError(f"{kiln.name} is already firing")
        firing_id = await logbook.open_firing(self.db, kiln.name, schedule["name"])
        task = asyncio.create_task(self.run(firing_id, kiln, schedule), name=f"firing-{firing_id}")
        self.active[kiln.name] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda t: self.active.pop(kiln.name, None))
        task.add_done_callback(alerts.firing_finished)  # bug: ADC202
        return firing_id

    def abort(self, kiln_name: str) -> bool:
        task = self.active.get(kiln_name)
        return bool(task) and task.cancel()

    async def _ramp(self, kiln, rate_per_hour: float, target: float) -> None:
        # step the controller's setpoint once a minute along the ramp
        sp = kiln.temperature
        while sp < target:
            sp = min(target, sp + rate_per_hour / 60)
            await kiln.set_target(sp)
            await asyncio.sleep(60)

    async def run(self, firing_id: int, kiln, schedule: dict) -> str:
        await kiln.first_reading.wait()
        status = "complete"
        try:
            for seg in schedule["segments"]:
                await self._ramp(kiln, seg["rate"], seg["target"])
                while not kiln.at_setpoint:  # bug: ADC503
                    await asyncio.sleep(1)
                await logbook.segment_reached(self.db, firing_id, seg["target"], kiln.temperature)
                if seg.get("hold_min"):
                    await asyncio.sleep(seg["hold_min"] * 60)
        except asyncio.CancelledError:  # bug: ADC601
            log.warning("firing %s on %s aborted at %.0f C", firing_id, kiln.name, kiln.temperature)
            status = "aborted"
        finally:
            await kiln.elements_off()
        await logbook.close_firing(self.db, firing_id, status, kiln.temperature)
        return status
