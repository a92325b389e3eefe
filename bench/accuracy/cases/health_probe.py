import asyncio
import logging
import socket
from dataclasses import dataclass

log = logging.getLogger("probe")


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int


TARGETS = (
    Target("postgres", "db.internal", 5432),
    Target("redis", "cache.internal", 6379),
    Target("search", "search.internal", 9200),
)


def _connect_blocking(target: Target, timeout: float) -> bool:
    try:
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        log.warning("%s unreachable: %s", target.name, exc)
        return False
    sock.close()
    return True


async def tcp_check(target: Target, timeout: float = 2.0) -> bool:
    return await asyncio.to_thread(_connect_blocking, target, timeout)


async def tcp_check_async(target: Target, timeout: float = 2.0) -> bool:
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(target.host, target.port), timeout
        )
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def probe_all() -> dict[str, bool]:
    results = await asyncio.gather(tcp_check(TARGETS[0]), tcp_check_async(TARGETS[1]),
                                   tcp_check_async(TARGETS[2]))
    return {t.name: ok for t, ok in zip(TARGETS, results)}


if __name__ == "__main__":
    print(asyncio.run(probe_all()))
