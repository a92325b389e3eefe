import asyncio
import logging
from decimal import Decimal

log = logging.getLogger(__name__)


class QuoteClient:
    def __init__(self, http):
        self.http = http

    async def quote(self, symbol: str) -> Decimal:
        data = await self.http.get_json(f"/v1/quote/{symbol}")
        return Decimal(str(data["price"]))


class Portfolio:
    def __init__(self, client: QuoteClient, holdings: dict[str, int]):
        self.client = client
        self.holdings = holdings

    async def valuation(self) -> Decimal:
        total = Decimal(0)
        for symbol, shares in self.holdings.items():
            price = await self.client.quote(symbol)  # bug: ADC501
            total += price * shares
        return total

    async def valuation_concurrent(self, limit: int = 10) -> Decimal:
        sem = asyncio.Semaphore(limit)

        async def priced(symbol: str) -> Decimal:
            async with sem:
                return await self.client.quote(symbol) * self.holdings[symbol]

        values = await asyncio.gather(*(priced(s) for s in self.holdings))
        return sum(values, Decimal(0))
