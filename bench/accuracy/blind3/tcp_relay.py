"""Tiny TCP relay with an allow-list, used in front of legacy services."""
import asyncio
import ipaddress
import logging
import os

log = logging.getLogger("relay")

LISTEN = ("0.0.0.0", int(os.environ.get("RELAY_PORT", "7000")))
TARGET = (os.environ.get("RELAY_TARGET_HOST", "10.1.0.5"), int(os.environ.get("RELAY_TARGET_PORT", "7000")))
ALLOWED = [ipaddress.ip_network(n) for n in os.environ.get("RELAY_ALLOW", "10.0.0.0/8").split(",")]
IDLE_TIMEOUT = 300


def allowed(peer):
    addr = ipaddress.ip_address(peer[0])
    return any(addr in net for net in ALLOWED)


async def pump(reader, writer, label):
    try:
        while True:
            data = await asyncio.wait_for(reader.read(32768), IDLE_TIMEOUT)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except asyncio.TimeoutError:
        log.info("%s idle, closing", label)
    finally:
        writer.close()
        await writer.wait_closed()


async def handle(client_reader, client_writer):
    peer = client_writer.get_extra_info("peername")
    if not allowed(peer):
        log.warning("rejected %s", peer)
        client_writer.close()
        return
    up_reader, up_writer = await asyncio.open_connection(*TARGET)
    await asyncio.gather(
        pump(client_reader, up_writer, f"{peer}->upstream"),
        pump(up_reader, client_writer, f"upstream->{peer}"),
    )


async def probe_target():
    reader, writer = await asyncio.open_connection(*TARGET)  # bug: ADC401
    log.info("upstream %s:%s reachable", *TARGET)
    return True


async def main():
    try:
        await asyncio.wait_for(probe_target(), 5)
    except (OSError, asyncio.TimeoutError):
        log.warning("upstream %s:%s not reachable yet", *TARGET)
    server = await asyncio.start_server(handle, *LISTEN)
    log.info("relaying %s:%s -> %s:%s", *LISTEN, *TARGET)
    try:
        async with server:
            await server.serve_forever()
    finally:
        server.close()
        server.wait_closed()  # bug: ADC201


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
