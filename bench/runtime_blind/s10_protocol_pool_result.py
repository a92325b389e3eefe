"""A line-protocol server (asyncio.Protocol) that resolves requests through a thread pool."""
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor


def lookup(key: str) -> str:
    time.sleep(0.13 if key == "slow" else 0.001)  # a slow directory backend
    return key[::-1]


class LookupProtocol(asyncio.Protocol):
    def __init__(self, pool: ThreadPoolExecutor):
        self.pool = pool
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes):
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            answer = self.pool.submit(lookup, line.decode()).result()  # EXPECT: blocking-call 130ms
            self.transport.write(answer.encode() + b"\n")


async def query(port: int, keys: list[str]) -> list[str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    async with asyncio.timeout(5):
        for key in keys:
            writer.write(key.encode() + b"\n")
            answers.append((await reader.readline()).decode().strip())
    writer.close()
    await writer.wait_closed()
    return answers


async def main():
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=2) as pool:
        server = await loop.create_server(lambda: LookupProtocol(pool), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(await query(port, ["alice", "slow", "bob"]))
        server.close()
        await server.wait_closed()
    print("server closed")


if __name__ == "__main__":
    asyncio.run(main())
