import asyncio
import os
import tempfile


async def may_fail(i):
    await asyncio.sleep(0.01)
    if i % 2:
        raise ValueError(i)
    return i


async def main():
    results = await asyncio.gather(*(may_fail(i) for i in range(6)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    try:
        await asyncio.wait_for(asyncio.sleep(1), 0.02)
    except asyncio.TimeoutError:
        pass
    path = os.path.join(tempfile.gettempdir(), "heldout_clean.txt")
    with open(path, "w") as f:
        f.write("x")
    reader, writer = await asyncio.open_connection("127.0.0.1", (await server_port()))
    writer.close()
    await writer.wait_closed()
    print("errors", len(errors))


_server = None


async def server_port():
    global _server
    async def cb(r, w):
        w.close()
    _server = await asyncio.start_server(cb, "127.0.0.1", 0)
    return _server.sockets[0].getsockname()[1]


async def amain():
    await main()
    _server.close()
    await _server.wait_closed()


asyncio.run(amain())
