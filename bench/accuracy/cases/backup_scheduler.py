import asyncio
import datetime
import logging
import os
import shlex

logger = logging.getLogger("backup")

PG_DSN = os.environ.get("PG_DSN", "postgresql://backup@db/app")
BACKUP_DIR = os.environ.get("BACKUP_DIR", "/backups")
INTERVAL = 6 * 3600


async def dump_database(stamp: str) -> str:
    target = os.path.join(BACKUP_DIR, f"app-{stamp}.dump")
    cmd = f"pg_dump --format=custom --file={shlex.quote(target)} {shlex.quote(PG_DSN)}"
    proc = await asyncio.create_subprocess_shell(cmd)
    code = await proc.wait()
    if code != 0:
        raise RuntimeError(f"pg_dump exited with {code}")
    return target


async def prune(keep: int = 20) -> None:
    proc = await asyncio.create_subprocess_shell(
        f"ls -1t {shlex.quote(BACKUP_DIR)}/*.dump | tail -n +{keep + 1} | xargs -r rm --"
    )
    await proc.wait()


async def scheduler() -> None:
    while True:
        stamp = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%S")
        try:
            path = await dump_database(stamp)
            logger.info("backup written to %s", path)
            await prune()
        except Exception:
            logger.exception("backup failed")
        await asyncio.sleep(INTERVAL)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(scheduler())
