#!/usr/bin/env python3
"""Bridge a serial weather station to MQTT and to a TCP display board."""
import asyncio
import json
import logging
import signal

import aiomqtt
import serial

log = logging.getLogger("bridge")

PORT = "/dev/ttyUSB0"
BOARD = ("10.0.0.42", 7000)


class Bridge:
    def __init__(self):
        self.ser = serial.Serial(PORT, 9600, timeout=1)
        self.stop = asyncio.Event()

    async def shutdown(self):
        log.info("stopping")
        self.stop.set()

    async def push_board(self, reading: dict) -> None:
        reader, writer = await asyncio.open_connection(*BOARD)  # bug: ADC401
        writer.write(f"{reading['temp']:.1f}C\n".encode())
        await writer.drain()

    async def run(self):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.shutdown)  # bug: ADC202
        loop.add_signal_handler(signal.SIGINT, self.stop.set)
        async with aiomqtt.Client("broker.local") as mqtt:
            while not self.stop.is_set():
                line = self.ser.readline()  # bug: ADC101
                if not line:
                    continue
                try:
                    reading = json.loads(line)
                except ValueError:
                    log.debug("garbage on the wire: %r", line)
                    continue
                await mqtt.publish("weather/station1", json.dumps(reading), qos=1)
                await self.push_board(reading)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Bridge().run())
