"""A one-request-per-connection quote service over asyncio streams, and the client helpers that call it."""
import asyncio

PRICES = {"ACME": "101.25", "GLOBX": "48.10", "INITECH": "7.90"}
VERSION = "quoted/2.3"
HANDLED = []


async def serve(reader, writer):
    try:
        request = (await reader.readline()).decode().strip()
        verb, _, arg = request.partition(" ")
        if verb == "QUOTE":
            reply = f"{arg} {PRICES.get(arg, 'unknown')}"
        elif verb == "VERSION":
            reply = VERSION
        else:
            reply = f"error: bad request {request!r}"
        writer.write(reply.encode() + b"\n")
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
        HANDLED.append(request)


async def quote(port, symbol):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"QUOTE {symbol}\n".encode())
        await writer.drain()
        return (await reader.readline()).decode().strip()
    finally:
        writer.close()
        await writer.wait_closed()


async def server_version(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)  # EXPECT: unclosed-resource
    writer.write(b"VERSION\n")
    await writer.drain()
    return (await reader.readline()).decode().strip()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        print("server:", await server_version(port))
        for line in await asyncio.gather(*(quote(port, s) for s in ("ACME", "INITECH", "WAYNE"))):
            print(line)
        while len(HANDLED) < 4:  # the server side finishes its connections
            await asyncio.sleep(0.005)
    print("requests handled:", len(HANDLED))


if __name__ == "__main__":
    asyncio.run(main())
