"""Collect DEX audit files from a fleet of vending machines.

Each machine has a cellular telemetry modem that exposes the DEX/UCS port
over TCP. The route planner runs this every night before trucks leave:
`python vending_fleet_collector.py machines.csv > restock.csv`.
"""
from __future__ import annotations

import asyncio
import csv
import sys
from dataclasses import dataclass

CONNECT_TIMEOUT = 10
GUARD_TIME = 0.3  # the modems drop bytes sent right after connect


@dataclass
class Machine:
    asset_id: str
    host: str
    port: int
    site: str


def parse_dex(raw: str) -> dict[str, int]:
    """Columns sold per selection, from PA1/PA2 records."""
    sold, selection = {}, None
    for rec in raw.split("\r\n"):
        fields = rec.split("*")
        if fields[0] == "PA1":
            selection = fields[1]
        elif fields[0] == "PA2" and selection is not None:
            sold[selection] = int(fields[1] or 0)
    return sold


async def read_dex(machine: Machine) -> str:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(machine.host, machine.port),
                                            CONNECT_TIMEOUT)
    try:
        await asyncio.sleep(GUARD_TIME)
        writer.write(b"DEX READ\r\n")
        await writer.drain()
        data = await asyncio.wait_for(reader.readuntil(b"DXE*"), timeout=60)
        return data.decode("ascii", "replace")
    finally:
        writer.close()
        await writer.wait_closed()


async def collect(machine: Machine, attempts: int = 3) -> dict[str, int] | None:
    for attempt in range(attempts):
        try:
            return parse_dex(await read_dex(machine))
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as exc:
            print(f"{machine.asset_id}: attempt {attempt + 1} failed: {exc!r}", file=sys.stderr)
            asyncio.sleep(5 * (attempt + 1))  # bug: ADC201
    return None


def load_machines(path: str) -> list[Machine]:
    with open(path, newline="") as fh:
        return [Machine(r["asset_id"], r["host"], int(r["port"]), r["site"]) for r in csv.DictReader(fh)]


def main(path: str) -> None:
    out = csv.writer(sys.stdout)
    out.writerow(["asset_id", "site", "selection", "sold"])
    for machine in load_machines(path):
        sold = asyncio.run(collect(machine))  # bug: ADC505
        if sold is None:
            out.writerow([machine.asset_id, machine.site, "", "UNREACHABLE"])
            continue
        for selection, count in sorted(sold.items()):
            out.writerow([machine.asset_id, machine.site, selection, count])


if __name__ == "__main__":
    main(sys.argv[1])
