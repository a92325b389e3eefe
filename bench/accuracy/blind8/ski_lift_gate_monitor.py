"""Lift-pass gate monitor for a ski resort.

Each turnstile controller streams RFID scans over TCP; the monitor checks the
pass against the ticketing database, opens the gate and logs the ride. It
also answers the lift operators' "gate status" page.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from dataclasses import dataclass

import asyncpg

log = logging.getLogger("gates")
SCAN_PORT, STATUS_PORT = 4001, 4002


@dataclass(frozen=True)
class Gate:
    lift: str
    host: str


GATES = [Gate("Gondola", "10.20.1.11"), Gate("Gondola", "10.20.1.12"), Gate("Chair 4", "10.20.4.11"),
         Gate("Chair 6", "10.20.6.11"), Gate("T-bar", "10.20.9.11")]


class GateMonitor:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.pending: list[tuple[Gate, str, asyncio.StreamWriter]] = []
        self.wakeup = asyncio.Event()
        self.rides: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def follow_gate(self, gate: Gate) -> None:
        reader, writer = await asyncio.open_connection(gate.host, SCAN_PORT)
        try:
            while line := await reader.readline():
                self.pending.append((gate, line.decode().strip(), writer))
                self.wakeup.set()
        finally:
            writer.close()
            await writer.wait_closed()

    async def validate(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending:
                gate, uid, writer = self.pending.pop(0)
                valid = await self.pool.fetchval(
                    "SELECT valid_from <= now() AND valid_to >= now() FROM passes WHERE rfid = $1", uid)
                writer.write(b"OPEN\n" if valid else b"DENY\n")
                await writer.drain()
                if valid:
                    self.rides.put_nowait((gate.lift, uid))

    async def log_rides(self) -> None:
        while True:
            lift, uid = await self.rides.get()
            await self.pool.execute("INSERT INTO rides (lift, rfid, at) VALUES ($1, $2, now())", lift, uid)
            self.rides.task_done()

    async def probe(self, gate: Gate) -> dict:
        reader, writer = await asyncio.open_connection(gate.host, STATUS_PORT)  # bug: ADC401
        writer.write(b"STATUS\n")
        await writer.drain()
        status = json.loads(await asyncio.wait_for(reader.readline(), timeout=3))
        return {"lift": gate.lift, "host": gate.host, **status}

    async def status_page(self) -> list[dict]:
        results = await asyncio.gather(*(self.probe(g) for g in GATES), return_exceptions=True)
        return [r if isinstance(r, dict) else {"error": repr(r)} for r in results]

    async def status_loop(self) -> None:
        while True:
            await self.pool.execute("INSERT INTO gate_status (at, report) VALUES (now(), $1)",
                                    json.dumps(await self.status_page()))
            await asyncio.sleep(60)

    async def drain(self) -> None:
        while self.pending:  # bug: ADC503
            await asyncio.sleep(0.05)
        await self.rides.join()


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with asyncpg.create_pool(os.environ["TICKETING_DSN"]) as pool:
        mon = GateMonitor(pool)
        workers = [asyncio.create_task(c) for c in (mon.validate(), mon.log_rides(), mon.status_loop(),
                                                    *(mon.follow_gate(g) for g in GATES))]
        await stop.wait()
        await mon.drain()
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
