"""Turns prescription lines into robot picks and keeps the stock ledger."""
from __future__ import annotations

import asyncio
import logging

from .robot import RobotLink

log = logging.getLogger(__name__)
HATCH_SECONDS = 90


class Dispenser:
    def __init__(self, link: RobotLink, pool, slots: dict[str, str]) -> None:
        self.link = link
        self.pool = pool
        self.slots = slots  # NDC -> drawer slot

    async def dispense(self, rx: dict) -> list[str]:
        picked = []
        # One arm: the picks cannot overlap, so they go one after another.
        for line in rx["lines"]:
            slot = self.slots[line["ndc"]]
            picked.append(await asyncio.to_thread(self.link.pick, slot, line["packs"]))
        async with self.pool.acquire() as conn:
            await conn.executemany(
                "INSERT INTO dispensed (rx_id, ndc, packs) VALUES ($1, $2, $3)",
                [(rx["id"], ln["ndc"], ln["packs"]) for ln in rx["lines"]],
            )
        return picked

    async def restock(self, delivery: list[dict]) -> None:
        """Opens the loading hatch for the technician, then books the delivery."""
        await asyncio.to_thread(self.link.command, "HATCH OPEN")
        await asyncio.sleep(HATCH_SECONDS)
        await asyncio.to_thread(self.link.command, "HATCH CLOSE")
        async with self.pool.acquire() as conn, conn.transaction():
            for item in delivery:
                await conn.execute(
                    "UPDATE stock SET packs = packs + $2 WHERE ndc = $1", item["ndc"], item["packs"]
                )

    async def book_ejections(self) -> int:
        """Moves the robot's expiry ejections into the waste ledger."""
        async with self.pool.acquire() as conn:
            with self.link.lock:  # bug: ADC102
                ejected = list(self.link.ejected)
                await conn.executemany("INSERT INTO waste (slot, packs) VALUES ($1, $2)", ejected)
                self.link.ejected.clear()
        return len(ejected)

    async def reconcile(self) -> dict[str, int]:
        counted = self.link.inventory()  # bug: ADC101
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT slot, packs FROM stock")
        diff = {r["slot"]: counted.get(r["slot"], 0) - r["packs"] for r in rows}
        return {slot: d for slot, d in diff.items() if d}
