"""A synchronous tool that uses an asyncio loop in a background thread for a small resolver service."""
import asyncio
import threading

RECORDS = {"api.internal": "10.0.0.12", "db.internal": "10.0.0.20", "cache.internal": "10.0.0.31"}


class Resolver:
    """Answers `RESOLVE name` over TCP, one request per line."""

    def __init__(self):
        self.server = None
        self.served = 0
        self._connections = 0
        self._idle = None

    async def start(self):
        self._idle = asyncio.Event()
        self._idle.set()
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader, writer):
        self._connections += 1
        self._idle.clear()
        try:
            while line := await reader.readline():
                name = line.decode().strip().removeprefix("RESOLVE ")
                writer.write(f"{RECORDS.get(name, 'NXDOMAIN')}\n".encode())
                await writer.drain()
                self.served += 1
        finally:
            writer.close()
            await writer.wait_closed()
            self._connections -= 1
            if self._connections == 0:
                self._idle.set()

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()
        await self._idle.wait()  # handlers still finishing their connections


async def resolve_many(port, names):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        answers = {}
        for name in names:
            writer.write(f"RESOLVE {name}\n".encode())
            await writer.drain()
            answers[name] = (await reader.readline()).decode().strip()
        return answers
    finally:
        writer.close()
        await writer.wait_closed()


class BackgroundLoop:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="resolver-loop")

    def _run(self):
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=5)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


def main():
    background = BackgroundLoop()
    background.thread.start()
    resolver = Resolver()
    try:
        port = background.submit(resolver.start())
        first = background.submit(resolve_many(port, ["api.internal", "db.internal"]))
        second = background.submit(resolve_many(port, ["cache.internal", "www.example"]))
        for name, address in {**first, **second}.items():
            print(f"{name} -> {address}")
        background.submit(resolver.stop())
        print("requests served:", resolver.served)
    finally:
        background.close()


if __name__ == "__main__":
    main()
