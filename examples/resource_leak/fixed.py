"""The session is closed by ``async with``, whatever happens (clean).

``async with aiohttp.ClientSession() as session`` closes the session and its
connections when the block ends, on success, on error and on cancellation.
In a real service, create one session at start-up and share it (see
``examples/client_per_request``); this example makes a single call.
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
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        data = await response.json()
    return data["status"]


async def main() -> None:
    server = await asyncio.start_server(fake_health_endpoint, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        print("service is", await check_health(f"http://127.0.0.1:{port}/health"))


if __name__ == "__main__":
    asyncio.run(main())
