"""Spillway gate supervisor for a small hydro dam (OPC UA in, alarms out)."""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field

import aiohttp
from asyncua import Client as OpcClient
from gpiozero import Button

log = logging.getLogger("dam")
OPC_URL = "opc.tcp://plc-spillway.dam.lan:4840"
ALARM_URL = "https://pager.utility.example/api/alarms"
HIGH_WATER_M = 212.4


@dataclass
class GateState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    reservoir_m: float = 0.0
    gate_open_pct: dict[int, float] = field(default_factory=dict)


class Supervisor:
    def __init__(self) -> None:
        self.state = GateState()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.session: aiohttp.ClientSession | None = None
        # hard-wired float switch on the dam crest (gpiozero calls back on its own thread)
        self.crest_switch = Button(17, pull_up=False)
        self.door_switch = Button(27, pull_up=True)

    def snapshot_for_hmi(self) -> dict:
        # called from the HMI's Modbus server thread
        with self.state.lock:
            return {"level": self.state.reservoir_m, "gates": dict(self.state.gate_open_pct)}

    async def raise_alarm(self, code: str, detail: str) -> None:
        async with self.session.post(ALARM_URL, json={"site": "dam-3", "code": code, "detail": detail}) as resp:
            resp.raise_for_status()

    def _on_crest(self) -> None:
        self.loop.call_soon_threadsafe(self.raise_alarm, "CREST", "float switch on dam crest tripped")  # bug: ADC202

    def _on_door(self) -> None:
        asyncio.run_coroutine_threadsafe(self.raise_alarm("DOOR", "gate house door opened"), self.loop)

    async def read_plc(self, opc: OpcClient) -> None:
        level_node = opc.get_node("ns=2;s=Reservoir.Level")
        gate_nodes = {n: opc.get_node(f"ns=2;s=Gate{n}.OpenPct") for n in (1, 2, 3)}
        while True:
            level = await level_node.read_value()
            gates = dict(zip(gate_nodes, await asyncio.gather(*(g.read_value() for g in gate_nodes.values()))))
            with self.state.lock:  # bug: ADC102
                self.state.reservoir_m = level
                self.state.gate_open_pct = gates
                if level > HIGH_WATER_M and max(gates.values()) < 50:
                    await self.raise_alarm("HIGHWATER", f"level {level:.2f} m with gates mostly shut")
            await asyncio.sleep(2)

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.crest_switch.when_pressed = self._on_crest
        self.door_switch.when_pressed = self._on_door
        async with aiohttp.ClientSession() as self.session, OpcClient(OPC_URL) as opc:
            await self.read_plc(opc)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Supervisor().run())
