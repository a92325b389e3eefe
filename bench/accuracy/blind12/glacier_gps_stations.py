"""Daily download of GNSS data from the glacier monitoring network.

Each station on the ice logs 30-second observations and is reachable over
SSH through its 4G router, all of them behind the base camp's one LTE
relay. The network has grown from a dozen stations to seventy since the
project started. Raw files are converted to RINEX 3 with gfzrnx and
checked with teqc before they go to the archive.
"""
import asyncio
import datetime as dt
import logging
import os
import subprocess
from pathlib import Path

import asyncpg
import asyncssh

log = logging.getLogger("glacier-gnss")

DB_DSN = os.environ.get("GNSS_DSN", "postgresql://gnss@localhost/network")
KEY = os.path.expanduser("~/.ssh/stations_ed25519")
INCOMING = Path("/data/gnss/incoming")
BASE_STATIONS = ("BASE1", "BASE2")


class DailyPull:
    def __init__(self, pool: asyncpg.Pool, day: dt.date) -> None:
        self.pool = pool
        self.day = day
        self.cpu_slots = asyncio.Semaphore(os.cpu_count() or 2)

    def _raw_name(self, code: str) -> str:
        return f"{code}{self.day:%j}0.{self.day:%y}_"

    async def pull_station(self, station: asyncpg.Record) -> Path:
        local = INCOMING / self._raw_name(station["code"])
        async with asyncssh.connect(
            station["host"], username="gnss", client_keys=[KEY], known_hosts=None
        ) as conn:
            async with conn.start_sftp_client() as sftp:
                await sftp.get(f"/logs/{self._raw_name(station['code'])}", str(local))
        return local

    async def convert(self, raw: Path) -> Path:
        out = raw.with_suffix(".rnx")
        subprocess.run(  # bug: ADC101
            ["gfzrnx", "-finp", str(raw), "-fout", str(out), "-vo", "3", "-f"],
            check=True, capture_output=True,
        )
        return out

    async def quality(self, rnx: Path) -> dict:
        proc = await asyncio.create_subprocess_exec(
            "teqc", "+qc", "-nav", "none", str(rnx),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await proc.communicate()
        summary = out.decode(errors="replace")
        mp1 = next((line.split()[-1] for line in summary.splitlines() if "moving average MP12" in line), None)
        return {"file": rnx.name, "mp12": float(mp1) if mp1 else None, "ok": proc.returncode == 0}

    async def process(self, raw: Path) -> dict:
        async with self.cpu_slots:
            rnx = await self.convert(raw)
            return await self.quality(rnx)

    async def record(self, results: list[dict]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                "INSERT INTO daily_files (day, file, mp12, ok) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (day, file) DO UPDATE SET mp12 = excluded.mp12, ok = excluded.ok",
                [(self.day, r["file"], r["mp12"], r["ok"]) for r in results],
            )

    async def run(self) -> None:
        stations = await self.pool.fetch(
            "SELECT code, host FROM stations WHERE active AND code <> ALL($1::text[])",
            list(BASE_STATIONS),
        )
        bases = await self.pool.fetch(
            "SELECT code, host FROM stations WHERE code = ANY($1::text[])", list(BASE_STATIONS)
        )
        base_raws = await asyncio.gather(*(self.pull_station(b) for b in bases))
        raws = await asyncio.gather(  # bug: ADC502
            *(self.pull_station(st) for st in stations), return_exceptions=True
        )
        for station, raw in zip(stations, raws):
            if isinstance(raw, BaseException):
                log.warning("station %s unreachable: %r", station["code"], raw)
        ok = [r for r in raws if isinstance(r, Path)] + list(base_raws)
        results = await asyncio.gather(*(self.process(raw) for raw in ok))
        await self.record(results)
        log.info("%s: %d of %d stations archived", self.day, len(results), len(stations) + len(bases))


async def main() -> None:
    day = dt.date.today() - dt.timedelta(days=1)
    pool = await asyncpg.create_pool(DB_DSN, max_size=4)
    try:
        await DailyPull(pool, day).run()
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    INCOMING.mkdir(parents=True, exist_ok=True)
    asyncio.run(main())
