"""A new HTTP client for every request (ADC402 client-per-request).

``fetch_price`` opens its own ``httpx.AsyncClient`` and ``all_prices`` calls
it once per symbol in an ``asyncio.gather``.  A client is a connection pool:
creating one per request throws away keep-alive connections, TLS sessions and
DNS caches, so every request pays for a fresh connection (the same happens
with an ``aiohttp.ClientSession`` created inside a ``for`` loop).  Run it:
20 prices cost 20 connections.
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


async def fetch_price(base_url: str, symbol: str) -> float:
    async with httpx.AsyncClient(base_url=base_url) as client:  # ADC402
        response = await client.get(f"/price/{symbol}")
        return float(response.text)


async def all_prices(base_url: str) -> list[float]:
    limit = asyncio.Semaphore(5)

    async def one(symbol: str) -> float:
        async with limit:
            return await fetch_price(base_url, symbol)

    return await asyncio.gather(*(one(symbol) for symbol in SYMBOLS))


async def main() -> None:
    loop = asyncio.get_running_loop()
    async with await loop.create_server(PriceServer, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        prices = await all_prices(f"http://127.0.0.1:{port}")
    print(f"{len(prices)} prices, {PriceServer.connections} connections opened")


if __name__ == "__main__":
    asyncio.run(main())
