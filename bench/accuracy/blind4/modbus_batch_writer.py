"""Download a recipe to a PLC over Modbus TCP and wait for the PLC to accept it."""
from __future__ import annotations

import asyncio
import logging

from pymodbus.client import AsyncModbusTcpClient
from smbus2 import SMBus

log = logging.getLogger("recipe")

REG_BASE = 1000
REG_COMMIT = 1999
REG_STATUS = 2000
STATUS_ACCEPTED = 2


def read_panel_switch(bus_no: int = 1) -> bool:
    """The local 'maintenance' switch on the I2C expander; sync, used through to_thread."""
    with SMBus(bus_no) as bus:
        return bool(bus.read_byte_data(0x20, 0x12) & 0x01)


async def download_recipe(host: str, values: list[int], unit: int = 1) -> None:
    if await asyncio.to_thread(read_panel_switch):
        raise RuntimeError("panel is in maintenance mode")
    async with AsyncModbusTcpClient(host, port=502, timeout=3) as plc:
        # The PLC expects the blocks in order and latches on the commit register.
        for offset in range(0, len(values), 100):
            block = values[offset : offset + 100]
            rr = await plc.write_registers(REG_BASE + offset, block, slave=unit)
            if rr.isError():
                raise IOError(f"write at {offset} failed: {rr}")
        await plc.write_register(REG_COMMIT, 1, slave=unit)

        # The PLC validates the recipe on its own; poll its status register.
        async with asyncio.timeout(60):
            while True:
                rr = await plc.read_holding_registers(REG_STATUS, count=1, slave=unit)
                if not rr.isError() and rr.registers[0] == STATUS_ACCEPTED:
                    break
                await asyncio.sleep(0.5)
    log.info("recipe of %d values accepted by %s", len(values), host)


async def download_to_line(hosts: tuple[str, ...], values: list[int]) -> None:
    async with asyncio.TaskGroup() as tg:
        for h in hosts:
            tg.create_task(download_recipe(h, values))


if __name__ == "__main__":
    import json
    import sys

    recipe = json.loads(open(sys.argv[1]).read())
    asyncio.run(download_to_line(("10.1.0.11", "10.1.0.12", "10.1.0.13"), recipe["values"]))
