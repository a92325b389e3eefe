"""The burner PLC of each kiln (Modbus TCP)."""
from dataclasses import dataclass

from pymodbus.client import AsyncModbusTcpClient

REG_AIR_ON_C = 100
REG_AIR_OFF_C = 101
REG_BURNER_PCT = 200
REG_FAN_MODE = 201
FAN_COOLDOWN = 2


@dataclass(frozen=True)
class Kiln:
    name: str
    plc_host: str
    probe_port: str


async def read_state(client: AsyncModbusTcpClient) -> dict:
    rr = await client.read_holding_registers(REG_AIR_ON_C, count=2, slave=1)
    if rr.isError():
        raise IOError(f"PLC read failed: {rr}")
    air_on, air_off = rr.registers
    return {"air_on_c": air_on / 10, "air_off_c": air_off / 10}


async def set_burner(client: AsyncModbusTcpClient, pct: int) -> None:
    await client.write_register(REG_BURNER_PCT, max(0, min(pct, 100)), slave=1)


async def start_cooldown(client: AsyncModbusTcpClient) -> None:
    await client.write_register(REG_BURNER_PCT, 0, slave=1)
    await client.write_register(REG_FAN_MODE, FAN_COOLDOWN, slave=1)
