"""Valve boxes on Modbus TCP: one coil per zone valve."""
from __future__ import annotations

import logging

from pymodbus.client import AsyncModbusTcpClient

log = logging.getLogger("irrigation.valves")


async def connect(host: str) -> AsyncModbusTcpClient:
    client = AsyncModbusTcpClient(host, port=502, timeout=3)
    await client.connect()
    return client


async def open_valve(bus: AsyncModbusTcpClient, valve_id: int) -> None:
    result = await bus.write_coil(valve_id, True, slave=1)
    if result.isError():
        raise IOError(f"valve {valve_id} did not open: {result}")


async def close_valve(bus: AsyncModbusTcpClient, valve_id: int) -> None:
    result = await bus.write_coil(valve_id, False, slave=1)
    if result.isError():
        log.error("valve %s did not close: %s", valve_id, result)


async def flow_litres(bus: AsyncModbusTcpClient) -> int:
    regs = await bus.read_input_registers(0, count=2, slave=1)
    return (regs.registers[0] << 16) | regs.registers[1]
