"""InfluxDB v2 writer (async client)."""
import logging

from influxdb_client import Point
from influxdb_client.client.influxdb_client_async import InfluxDBClientAsync

log = logging.getLogger("lorawan.sink")


class InfluxSink:
    def __init__(self, url: str, token: str, org: str, bucket: str) -> None:
        self.client = InfluxDBClientAsync(url=url, token=token, org=org)
        self.bucket = bucket
        self.ready = False

    async def connect(self) -> None:
        if not await self.client.ping():
            raise ConnectionError("InfluxDB not reachable")
        self.write_api = self.client.write_api()
        self.ready = True

    async def write_points(self, points: list[Point]) -> None:
        await self.write_api.write(bucket=self.bucket, record=points)

    async def close(self) -> None:
        self.ready = False
        await self.client.close()


def to_points(dev_eui: str, device_name: str, values: dict, rssi: float) -> list[Point]:
    point = Point("sensor").tag("dev_eui", dev_eui).tag("name", device_name).field("rssi", rssi)
    for key, value in values.items():
        point = point.field(key, value)
    return [point]
