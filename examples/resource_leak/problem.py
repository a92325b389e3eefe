"""An aiohttp session that is never closed (ADC401 resource-leak).

``check_health`` creates a ``ClientSession`` and returns without closing it.
A session owns a connection pool: its sockets stay open until the garbage
collector happens to run, and aiohttp complains "Unclosed client session"
(often at exit, far from the cause).  In a long-running service every call
leaks another pool.  A tiny local server stands in for the real endpoint.
"""

import asyncio

import aiohttp

BODY = b'{"status": "up"}'


async def fake_health_endpoint(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n")
    writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
    await writer.drain()
    writer.close()


async def check_health(url: str) -> str:
    session = aiohttp.ClientSession()  # ADC401: never closed
    async with session.get(url) as response:
        data = await response.json()
    return data["status"]


async def main() -> None:
    server = await asyncio.start_server(fake_health_endpoint, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        print("service is", await check_health(f"http://127.0.0.1:{port}/health"))


if __name__ == "__main__":
    asyncio.run(main())
