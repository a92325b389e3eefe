import asyncio
import json
import logging
from dataclasses import dataclass, field

import aiomqtt

log = logging.getLogger("silo.sensors")

BROKER = "cabinet-gw.local"


@dataclass
class Silo:
    name: str
    fan_channels: list[int]
    cables: int
    temps: dict[str, float] = field(default_factory=dict)
    cables_ready: bool = False

    @property
    def hottest(self) -> float:
        return max(self.temps.values(), default=0.0)


class CableFeed:
    def __init__(self, silos: dict[str, Silo], journal):
        self.silos = silos
        self.journal = journal

    async def run(self) -> None:
        async with aiomqtt.Client(BROKER, identifier="aeration-ctl") as client:
            await client.subscribe("silo/+/cable/+")
            async for message in client.messages:
                _, silo_name, _, cable = message.topic.value.split("/")
                silo = self.silos.get(silo_name)
                if silo is None:
                    continue
                reading = json.loads(message.payload)
                silo.temps[cable] = max(reading["sensors_c"])
                if len(silo.temps) >= silo.cables:
                    silo.cables_ready = True
                try:
                    await self.journal.store(silo_name, cable, reading)
                except asyncio.CancelledError:  # bug: ADC601
                    log.warning("journal write for %s/%s interrupted, dropping", silo_name, cable)
                    continue
                except OSError:
                    log.exception("journal unavailable")
