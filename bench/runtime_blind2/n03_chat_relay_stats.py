"""A chat relay over asyncio streams: clients join, messages are relayed to everyone else, an admin asks for stats."""
import asyncio


class Relay:
    def __init__(self):
        self.members = {}      # name -> StreamWriter
        self.relayed = 0
        self.handlers_done = asyncio.Event()
        self._active = 0

    async def handle(self, reader, writer):
        self._active += 1
        name = None
        try:
            hello = (await reader.readline()).decode().strip()
            if hello == "STATS":
                writer.write(f"members={len(self.members)} relayed={self.relayed}\n".encode())
                await writer.drain()
                return
            name = hello.removeprefix("NICK ")
            self.members[name] = writer
            writer.write(f"welcome {name}\n".encode())
            await writer.drain()
            while line := await reader.readline():
                text = line.decode().strip()
                if text == "/quit":
                    break
                for other, out in self.members.items():
                    if other != name:
                        out.write(f"<{name}> {text}\n".encode())
                        self.relayed += 1
        finally:
            if name is not None:
                self.members.pop(name, None)
            writer.close()
            await writer.wait_closed()
            self._active -= 1
            if self._active == 0:
                self.handlers_done.set()


class ChatClient:
    def __init__(self, name):
        self.name = name
        self.heard = []

    async def connect(self, port):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        self.writer.write(f"NICK {self.name}\n".encode())
        return (await self.reader.readline()).decode().strip()

    async def say(self, text):
        self.writer.write(f"{text}\n".encode())
        await self.writer.drain()

    async def hear(self):
        self.heard.append((await self.reader.readline()).decode().strip())

    async def leave(self):
        await self.say("/quit")
        await self.reader.read()
        self.writer.close()
        await self.writer.wait_closed()


async def fetch_stats(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"STATS\n")
    await writer.drain()
    line = await reader.readline()
    writer.close()
    writer.wait_closed()  # EXPECT: never-awaited
    return line.decode().strip()


async def main():
    relay = Relay()
    server = await asyncio.start_server(relay.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    clients = [ChatClient(n) for n in ("alice", "bob", "carol")]
    for client in clients:
        print(await client.connect(port))
    script = [("alice", "hi all"), ("bob", "hello alice"), ("carol", "lunch at noon?"), ("alice", "sure")]
    for speaker, text in script:
        sender = next(c for c in clients if c.name == speaker)
        await sender.say(text)
        await asyncio.gather(*(c.hear() for c in clients if c is not sender))
    print("stats:", await fetch_stats(port))
    for client in clients:
        await client.leave()
        print(f"{client.name} heard: {client.heard}")
    await relay.handlers_done.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
