"""One client, created once and shared by every request (clean).

``all_prices`` opens a single ``httpx.AsyncClient`` and passes it to
``fetch_price``; its pool keeps connections alive and reuses them.  At most
five requests run at once (the semaphore), so five connections serve all
twenty requests.  In a web application, create the client at start-up (a
lifespan handler) and close it at shutdown.
"""

import asyncio

import httpx

SYMBOLS = [f"SYM{i}" for i in range(20)]


class PriceServer(asyncio.Protocol):
    """A local stand-in for the price API that counts the connections it gets."""

    connections = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        PriceServer.connections += 1
        self.transport = transport

    def data_received(self, data: bytes) -> None:  # one small request per read
        body = b"%d" % (100 + len(data) % 7)
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


async def fetch_price(client: httpx.AsyncClient, symbol: str) -> float:
    response = await client.get(f"/price/{symbol}")
    return float(response.text)


async def all_prices(base_url: str) -> list[float]:
    limit = asyncio.Semaphore(5)
    async with httpx.AsyncClient(base_url=base_url) as client:

        async def one(symbol: str) -> float:
            async with limit:
                return await fetch_price(client, symbol)

        return await asyncio.gather(*(one(symbol) for symbol in SYMBOLS))


async def main() -> None:
    loop = asyncio.get_running_loop()
    async with await loop.create_server(PriceServer, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        prices = await all_prices(f"http://127.0.0.1:{port}")
    print(f"{len(prices)} prices, {PriceServer.connections} connections opened")


if __name__ == "__main__":
    asyncio.run(main())
