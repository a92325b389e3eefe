"""A line-based key-value server (asyncio.Protocol) with a client and a health probe from the ops scripts."""
import asyncio
import socket


class KVProtocol(asyncio.Protocol):
    def __init__(self, store, live):
        self.store = store
        self.live = live
        self.transport = None
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport
        self.live.add(self)

    def data_received(self, data):
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            self.transport.write(self.handle(line.decode().strip()).encode() + b"\n")

    def handle(self, command):
        op, _, rest = command.partition(" ")
        if op == "PING":
            return "PONG"
        if op == "SET":
            key, _, value = rest.partition(" ")
            self.store[key] = value
            return "OK"
        if op == "GET":
            return self.store.get(rest, "(nil)")
        return f"ERR unknown command {op}"

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        self.live.discard(self)


def probe(port, timeout=0.3):
    """Blocking TCP health check (shared with the cron scripts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"PING\n")
        try:
            reply = sock.recv(64)  # EXPECT: blocking-call 300ms
        except TimeoutError:
            return "timeout"
    return reply.decode().strip()


async def health(port):
    return probe(port)


async def client(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        answers = []
        for command in ("SET colour teal", "SET size 42", "GET colour", "GET missing", "FLUSH"):
            writer.write(command.encode() + b"\n")
            await writer.drain()
            answers.append((command, (await reader.readline()).decode().strip()))
        return answers
    finally:
        writer.close()
        await writer.wait_closed()


async def main():
    loop = asyncio.get_running_loop()
    store, live = {}, set()
    server = await loop.create_server(lambda: KVProtocol(store, live), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        for command, answer in await client(port):
            print(f"{command} -> {answer}")
        print("health:", await health(port))
        await asyncio.sleep(0.05)
    finally:
        server.close()
        for proto in list(live):
            proto.transport.close()
        await server.wait_closed()
        await asyncio.sleep(0)
    print("keys:", ", ".join(sorted(store)))


if __name__ == "__main__":
    asyncio.run(main())
