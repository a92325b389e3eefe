import asyncio
import logging
import signal
import sys

from .tls import build_server_context
from .upstream import UpstreamPool

log = logging.getLogger("edge_proxy")

BUF = 64 * 1024


async def _pipe(reader, writer):
    try:
        while data := await reader.read(BUF):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


class EdgeProxy:
    def __init__(self, pool, certfile, keyfile, client_ca=None):
        self.pool = pool
        self._certfile = certfile
        self._keyfile = keyfile
        self._client_ca = client_ca
        self.ssl_context = build_server_context(certfile, keyfile, client_ca)
        self._closing = False
        self._conns = set()

    async def handle_client(self, reader, writer):
        try:
            up_reader, up_writer = await self.pool.connect()
        except (LookupError, OSError, asyncio.TimeoutError) as exc:
            log.warning("no upstream for %s: %s", writer.get_extra_info("peername"), exc)
            writer.close()
            await writer.wait_closed()
            return
        task = asyncio.current_task()
        self._conns.add(task)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._conns.discard(task)

    async def reload_certs(self):
        log.info("reloading certificates from %s", self._certfile)
        self.ssl_context = build_server_context(  # bug: ADC101
            self._certfile, self._keyfile, self._client_ca
        )

    async def handle_admin(self, reader, writer):
        while True:
            try:
                line = (await reader.readline()).decode().strip()
                if not line:
                    return
                if line == "reload":
                    await self.reload_certs()
                    writer.write(b"ok\n")
                elif line == "conns":
                    writer.write(f"{len(self._conns)}\n".encode())
                else:
                    writer.write(b"unknown command\n")
                await writer.drain()
            finally:
                if self._closing:
                    break  # bug: ADC601

    async def serve(self, host, port, admin_port):
        server = await asyncio.start_server(self.handle_client, host, port, ssl=self.ssl_context)
        admin = await asyncio.start_server(self.handle_admin, "127.0.0.1", admin_port)
        health = asyncio.create_task(self.pool.health_loop())
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        async with server, admin:
            await stop.wait()
            self._closing = True
        health.cancel()


def main():
    logging.basicConfig(level=logging.INFO)
    pool = UpstreamPool([("10.0.0.11", 8080), ("10.0.0.12", 8080)])
    proxy = EdgeProxy(pool, sys.argv[1], sys.argv[2])
    asyncio.run(proxy.serve("0.0.0.0", 8443, 9000))


if __name__ == "__main__":
    main()
