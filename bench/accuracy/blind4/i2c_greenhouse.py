"""Greenhouse controller on a Raspberry Pi: SHT31 sensors on I2C, fan relay, HTTP API."""
import asyncio
import logging
import threading

from aiohttp import web
from smbus2 import SMBus, i2c_msg

log = logging.getLogger("greenhouse")
SHT31 = 0x44


class Sensors:
    def __init__(self, bus_no: int = 1):
        self.bus = SMBus(bus_no)
        self.bus_lock = threading.Lock()  # also used by the relay thread
        self.last = {"temp": None, "rh": None}

    def _start_measurement(self) -> None:
        self.bus.i2c_rdwr(i2c_msg.write(SHT31, [0x24, 0x00]))

    def _read_result(self) -> tuple[float, float]:
        msg = i2c_msg.read(SHT31, 6)
        self.bus.i2c_rdwr(msg)
        raw = list(msg)
        t = -45 + 175 * (raw[0] << 8 | raw[1]) / 65535
        rh = 100 * (raw[3] << 8 | raw[4]) / 65535
        return t, rh

    async def measure(self) -> None:
        with self.bus_lock:  # bug: ADC102
            await asyncio.to_thread(self._start_measurement)
            await asyncio.sleep(0.02)  # conversion time
            t, rh = await asyncio.to_thread(self._read_result)
        self.last = {"temp": round(t, 2), "rh": round(rh, 1)}

    async def poll_forever(self) -> None:
        while True:
            await self.measure()
            await asyncio.sleep(10)

    def relay_loop(self, stop: threading.Event) -> None:
        while not stop.wait(5):
            with self.bus_lock:
                on = (self.last["temp"] or 0) > 30
                self.bus.write_byte_data(0x20, 0x09, 0x01 if on else 0x00)


async def api_state(request: web.Request) -> web.Response:
    return web.json_response(request.app["sensors"].last)


async def on_startup(app: web.Application) -> None:
    sensors = app["sensors"]
    app["stop"] = threading.Event()
    threading.Thread(target=sensors.relay_loop, args=(app["stop"],), daemon=True).start()
    threading.Thread(target=sensors.poll_forever, daemon=True).start()  # bug: ADC202


async def on_cleanup(app: web.Application) -> None:
    app["stop"].set()


def make_app() -> web.Application:
    app = web.Application()
    app["sensors"] = Sensors()
    app.router.add_get("/state", api_state)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8081)
