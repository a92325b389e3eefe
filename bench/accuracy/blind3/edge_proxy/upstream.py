import asyncio
import itertools
import logging
import time

log = logging.getLogger("edge_proxy.upstream")


class Upstream:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.healthy = True
        self.last_check = 0.0

    def __repr__(self):
        return f"Upstream({self.host}:{self.port})"


class UpstreamPool:
    def __init__(self, targets, check_interval=10.0, connect_timeout=3.0):
        self.upstreams = [Upstream(h, p) for h, p in targets]
        self._rr = itertools.cycle(self.upstreams)
        self._check_interval = check_interval
        self._connect_timeout = connect_timeout

    def pick(self):
        for _ in range(len(self.upstreams)):
            up = next(self._rr)
            if up.healthy:
                return up
        raise LookupError("no healthy upstream")

    async def _probe(self, up):
        try:
            async with asyncio.timeout(self._connect_timeout):
                reader, writer = await asyncio.open_connection(up.host, up.port)  # bug: ADC401
                writer.write(b"HEAD /healthz HTTP/1.0\r\n\r\n")
                await writer.drain()
                status = await reader.readline()
            up.healthy = status.startswith(b"HTTP/1.") and b" 200 " in status
        except (OSError, asyncio.TimeoutError):
            up.healthy = False
        up.last_check = time.monotonic()

    async def health_loop(self):
        while True:
            await asyncio.gather(*(self._probe(up) for up in self.upstreams))
            down = [u for u in self.upstreams if not u.healthy]
            if down:
                log.warning("unhealthy upstreams: %s", down)
            await asyncio.sleep(self._check_interval)

    async def connect(self):
        up = self.pick()
        return await asyncio.wait_for(
            asyncio.open_connection(up.host, up.port), self._connect_timeout
        )
