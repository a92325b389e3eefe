"""Nightly pull of acoustic leak-noise logger results for the distribution network.

Run by systemd at 06:15: python -m leakwatch.nightly 2026-11-30
"""
import asyncio
import csv
import io
import logging
import os
import sys
from dataclasses import dataclass

import aiohttp
import asyncpg
import paramiko

log = logging.getLogger("leakwatch")

VENDOR_API = "https://api.hydrolog.example/v1"
SFTP_HOST = "sftp.hydrolog.example"
NOISE_ALERT_DB = 38.0
MAX_SPREAD_DB = 4.0


@dataclass
class LoggerResult:
    serial: str
    dma: str
    noise_db: float
    spread_db: float


class VendorDrop:
    """CSV summaries the patrol receivers leave on the vendor's SFTP."""

    def __init__(self, username: str, key_path: str):
        self.transport = paramiko.Transport((SFTP_HOST, 22))
        key = paramiko.Ed25519Key.from_private_key_file(key_path)
        self.transport.connect(username=username, pkey=key)
        self.sftp = paramiko.SFTPClient.from_transport(self.transport)

    def close(self) -> None:
        self.sftp.close()
        self.transport.close()


class NightlyRun:
    def __init__(self, pool: asyncpg.Pool, http: aiohttp.ClientSession, drop: VendorDrop):
        self.pool = pool
        self.http = http
        self.drop = drop
        self.followups: set[asyncio.Task] = set()

    async def fetch_summary(self, night: str) -> list[LoggerResult]:
        buf = io.BytesIO()
        self.drop.sftp.getfo(f"/outbox/{night}/summary.csv", buf)  # bug: ADC101
        reader = csv.DictReader(io.StringIO(buf.getvalue().decode("utf-8")))
        return [
            LoggerResult(r["serial"], r["dma"], float(r["level_db"]), float(r["spread_db"]))
            for r in reader
        ]

    async def _correlation(self, serial: str) -> dict:
        async with self.http.get(f"{VENDOR_API}/loggers/{serial}/correlation") as resp:
            resp.raise_for_status()
            return await resp.json()

    async def correlations(self, suspects: list[LoggerResult]) -> list[tuple[str, float]]:
        confirmed = []
        for r in suspects:
            data = await self._correlation(r.serial)  # bug: ADC501
            if data.get("confidence", 0) >= 0.7:
                confirmed.append((r.serial, data["distance_m"]))
        return confirmed

    async def publish_dashboard(self, night: str, total: int, leaks: int) -> None:
        async with self.http.post(f"{VENDOR_API}/dashboards/nightly", json={
            "night": night, "loggers": total, "leaks": leaks,
        }) as resp:
            resp.raise_for_status()

    async def notify_crews(self, confirmed: list[tuple[str, float]]) -> None:
        if confirmed:
            await self.pool.execute("select pg_notify('leak_jobs', $1)", str(len(confirmed)))

    async def run(self, night: str) -> None:
        results = await self.fetch_summary(night)
        suspects = [r for r in results if r.noise_db >= NOISE_ALERT_DB and r.spread_db < MAX_SPREAD_DB]
        confirmed = await self.correlations(suspects)
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                for serial, distance_m in confirmed:
                    await conn.execute(
                        "insert into leak_jobs (serial, night, distance_m) values ($1, $2, $3)"
                        " on conflict do nothing",
                        serial, night, distance_m,
                    )
        asyncio.create_task(self.publish_dashboard(night, len(results), len(confirmed)))  # bug: ADC301
        task = asyncio.create_task(self.notify_crews(confirmed))
        self.followups.add(task)
        task.add_done_callback(self.followups.discard)


async def main(night: str) -> None:
    drop = await asyncio.to_thread(VendorDrop, "utility-nw", "/etc/leakwatch/id_ed25519")
    pool = await asyncpg.create_pool("postgresql://leakwatch@gis-db/network")
    try:
        async with aiohttp.ClientSession(headers={"X-Api-Key": os.environ["HYDROLOG_KEY"]}) as http:
            run = NightlyRun(pool, http, drop)
            await run.run(night)
            await asyncio.gather(*run.followups)
    finally:
        await pool.close()
        await asyncio.to_thread(drop.close)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
