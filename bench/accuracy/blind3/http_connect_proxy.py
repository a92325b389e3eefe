"""HTTP CONNECT proxy for the build farm's egress."""
import asyncio
import logging
import os

log = logging.getLogger("connect-proxy")

ALLOWED_PORTS = {443, 22}
MAX_CLIENTS = int(os.environ.get("PROXY_MAX_CLIENTS", "512"))
slots = asyncio.BoundedSemaphore(MAX_CLIENTS)


async def relay(reader, writer):
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        if not writer.is_closing():
            writer.close()


async def read_request_head(reader):
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _version = request_line.split(" ", 2)
    return method, target


async def handle(client_reader, client_writer):
    async with slots:
        try:
            method, target = await read_request_head(client_reader)
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or int(port) not in ALLOWED_PORTS:
                client_writer.write(b"HTTP/1.1 403 Forbidden\r\n\r\n")
                await client_writer.drain()
                return
            try:
                up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 10)
            except (OSError, asyncio.TimeoutError):
                client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                await client_writer.drain()
                return
            client_writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await client_writer.drain()
            try:
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(relay(client_reader, up_writer))
                    tg.create_task(relay(up_reader, client_writer))
            finally:
                up_writer.close()
                await up_writer.wait_closed()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
            log.debug("bad request: %s", exc)
        finally:
            client_writer.close()
            await client_writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, "0.0.0.0", 3128, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
