"""Monochromator + photodiode scan controller (SCPI over VISA), exposed to the lab's async service."""
import asyncio
import logging

import pyvisa

log = logging.getLogger("spectro")


class Monochromator:
    """Sync driver: every method blocks on the instrument."""

    def __init__(self, address: str) -> None:
        self.rm = pyvisa.ResourceManager("@py")
        self.inst = self.rm.open_resource(address, timeout=10000)

    def goto(self, nm: float) -> None:
        self.inst.write(f"WAVE {nm:.2f}")

    def status_byte(self) -> int:
        return int(self.inst.query("*STB?"))

    def read_intensity(self) -> float:
        return float(self.inst.query("MEAS:CURR?"))

    def close(self) -> None:
        self.inst.close()
        self.rm.close()


class ScanService:
    BUSY = 0x02

    def __init__(self, driver: Monochromator) -> None:
        self.driver = driver
        self._lock = asyncio.Lock()  # one scan at a time: there is one grating

    async def _wait_idle(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while await asyncio.to_thread(self.driver.status_byte) & self.BUSY:
                await asyncio.sleep(0.05)  # the grating motor is moving

    async def point(self, nm: float) -> float:
        await asyncio.to_thread(self.driver.goto, nm)
        await self._wait_idle(timeout=5)
        return await asyncio.to_thread(self.driver.read_intensity)

    async def scan(self, start: float, stop: float, step: float) -> list[tuple[float, float]]:
        """Wavelengths are visited in order: the grating can only be at one place."""
        spectrum = []
        async with self._lock:
            nm = start
            while nm <= stop + 1e-9:
                spectrum.append((nm, await self.point(nm)))
                nm = round(nm + step, 4)
        return spectrum


async def main(address: str) -> None:
    driver = await asyncio.to_thread(Monochromator, address)
    service = ScanService(driver)
    try:
        spectrum = await service.scan(400, 700, 2.5)
        peak = max(spectrum, key=lambda p: p[1])
        log.info("peak at %.1f nm (%.3g A)", *peak)
    finally:
        await asyncio.to_thread(driver.close)


if __name__ == "__main__":
    asyncio.run(main("TCPIP0::192.168.7.40::5025::SOCKET"))
