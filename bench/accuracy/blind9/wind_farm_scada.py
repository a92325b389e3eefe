"""Wind farm data collector: turbine controllers (IEC 104 gateway) and the met mast."""
from __future__ import annotations

import argparse
import asyncio
import logging
import struct
from dataclasses import dataclass

import asyncpg
from pymodbus.client import AsyncModbusTcpClient, ModbusTcpClient

log = logging.getLogger("windfarm")
TURBINES = {f"WTG{n:02d}": f"10.20.0.{10 + n}" for n in range(1, 15)}
GATEWAY_PORT = 2404


@dataclass
class TurbineSample:
    turbine: str
    power_kw: float
    rotor_rpm: float
    pitch_deg: float


class Collector:
    def __init__(self, dsn: str, mast_host: str) -> None:
        self.dsn = dsn
        self.mast = ModbusTcpClient(mast_host, port=502, timeout=2)
        self.turbine_bus = {name: AsyncModbusTcpClient(ip, port=502) for name, ip in TURBINES.items()}

    def read_mast_sync(self) -> tuple[float, float]:
        rr = self.mast.read_input_registers(0, count=4, slave=1)
        speed, direction = struct.unpack(">ff", struct.pack(">4H", *rr.registers))
        return speed, direction

    async def read_turbine(self, name: str) -> TurbineSample:
        client = self.turbine_bus[name]
        if not client.connected:
            await client.connect()
        rr = await client.read_holding_registers(100, count=3, slave=1)
        power, rpm, pitch = (r / 10 for r in rr.registers)
        return TurbineSample(name, power, rpm, pitch)

    async def collect_once(self, pool: asyncpg.Pool) -> None:
        samples = await asyncio.gather(*(self.read_turbine(n) for n in TURBINES))
        rr = self.mast.read_input_registers(0, count=4, slave=1)  # bug: ADC101
        wind_speed, wind_dir = struct.unpack(">ff", struct.pack(">4H", *rr.registers))
        await pool.executemany(
            "INSERT INTO turbine_samples (turbine, power_kw, rotor_rpm, pitch_deg, wind_ms, wind_dir) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            [(s.turbine, s.power_kw, s.rotor_rpm, s.pitch_deg, wind_speed, wind_dir) for s in samples],
        )

    async def run(self) -> None:
        await asyncio.to_thread(self.mast.connect)
        speed, _ = await asyncio.to_thread(self.read_mast_sync)
        log.info("met mast online, %.1f m/s", speed)
        pool = await asyncpg.create_pool(self.dsn)
        try:
            while True:
                await self.collect_once(pool)
                await asyncio.sleep(10)
        finally:
            await pool.close()
            for client in self.turbine_bus.values():
                client.close()
            self.mast.close()


async def probe_gateway(name: str, host: str) -> bool:
    try:
        reader, writer = await asyncio.wait_for(  # bug: ADC401
            asyncio.open_connection(host, GATEWAY_PORT), timeout=3
        )
    except (OSError, asyncio.TimeoutError):
        return False
    writer.write(bytes.fromhex("680443000000"))  # IEC 104 TESTFR act
    await writer.drain()
    reply = await asyncio.wait_for(reader.readexactly(6), timeout=3)
    return reply[2] == 0x83


def commission() -> None:
    """Run by the site engineer after maintenance: checks every turbine's gateway."""
    for name, host in TURBINES.items():
        ok = asyncio.run(probe_gateway(name, host))  # bug: ADC505
        print(f"{name:6} {host:12} {'OK' if ok else 'NO ANSWER'}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["collect", "commission"])
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO)
    if args.command == "commission":
        commission()
    else:
        asyncio.run(Collector("postgresql://scada@db/windfarm", "10.20.0.5").run())
