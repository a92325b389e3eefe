"""A telemetry collector (asyncio.Protocol on uvloop): sensors connect, send readings, get acks, disconnect."""
import asyncio
from collections import defaultdict

import uvloop


class CollectorProtocol(asyncio.Protocol):
    def __init__(self, readings, closed):
        self.readings = readings
        self.closed = closed
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            sensor, value = line.decode().split("=")
            self.readings[sensor].append(float(value))
            self.transport.write(b"ack\n")

    def connection_lost(self, exc):
        self.closed.release()


class SensorProtocol(asyncio.Protocol):
    def __init__(self, name, values):
        self.lines = [f"{name}={v}\n".encode() for v in values]
        self.acks = 0
        self.received = b""
        self.done = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"".join(self.lines))

    def data_received(self, data):
        self.received += data
        self.acks = self.received.count(b"ack\n")
        if self.acks == len(self.lines):
            self.transport.close()

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(self.acks)


async def run_sensor(port, name, values):
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(lambda: SensorProtocol(name, values), "127.0.0.1", port)
    return name, await protocol.done


async def main():
    loop = asyncio.get_running_loop()
    readings = defaultdict(list)
    closed = asyncio.Semaphore(0)
    server = await loop.create_server(lambda: CollectorProtocol(readings, closed), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sensors = {"boiler": [71.5, 72.0, 73.25], "attic": [18.0, 17.5], "garage": [9.0, 9.5, 10.0, 10.5]}
    acks = await asyncio.gather(*(run_sensor(port, name, values) for name, values in sensors.items()))
    for _ in sensors:
        await closed.acquire()  # every server-side connection has been closed
    server.close()
    await server.wait_closed()
    for name, count in acks:
        values = readings[name]
        print(f"{name}: {count} acks, mean {sum(values) / len(values):.2f}")


if __name__ == "__main__":
    uvloop.run(main())
