import asyncio


async def echo(reader, writer):
    data = await reader.readline()
    writer.write(data)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def ask(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)  # EXPECT: unclosed-resource
    writer.write(b"ping\n")
    await writer.drain()
    return (await reader.readline()).decode().strip()


async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        print("reply", await ask(port))
        await asyncio.sleep(0.05)


asyncio.run(main())
