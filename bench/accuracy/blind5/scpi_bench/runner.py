"""Async sweep runner; the rig's watchdog thread also talks on the GPIB bus."""
import asyncio
import threading
import time

from .instruments import Multimeter, PowerSupply


class SweepRunner:
    def __init__(self, psu: PowerSupply, dmm: Multimeter, settle_s: float = 0.5) -> None:
        self.psu = psu
        self.dmm = dmm
        self.settle_s = settle_s
        self.bus_lock = threading.Lock()
        self.last_reading_at = 0.0

    def _set_and_read(self, volts: float, samples: int) -> float:
        with self.bus_lock:
            self.psu.set_voltage(volts)
            time.sleep(self.settle_s)
            return self.dmm.read_average(samples)

    async def measure_point(self, volts: float, samples: int = 10) -> dict:
        reading = await asyncio.to_thread(self._set_and_read, volts, samples)
        self.last_reading_at = time.monotonic()
        return {"set": volts, "measured": reading, "error": reading - volts}

    async def quick_check(self, volts: float) -> dict:
        with self.bus_lock:  # bug: ADC102
            await asyncio.to_thread(self.psu.set_voltage, volts)
            await asyncio.sleep(self.settle_s)
        reading = self.dmm.read_voltage()  # bug: ADC101
        return {"set": volts, "measured": reading}

    def watchdog(self, stop: threading.Event, max_volts: float) -> None:
        """Runs in its own thread for the whole session."""
        while not stop.wait(1.0):
            with self.bus_lock:
                if self.dmm.read_voltage() > max_volts:
                    self.psu.output_off()
