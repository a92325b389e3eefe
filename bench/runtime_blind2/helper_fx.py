"""Currency conversion against a rate table that is refreshed from a rates feed."""
import asyncio
from decimal import ROUND_HALF_EVEN, Decimal


class RateTable:
    def __init__(self, base="EUR"):
        self.base = base
        self._rates = {}
        self.version = 0

    async def refresh(self, feed):
        rates = await feed()
        self._rates = {cur: Decimal(str(rate)) for cur, rate in rates.items()}
        self._rates[self.base] = Decimal("1")
        self.version += 1

    async def convert(self, amount, currency):
        await asyncio.sleep(0.001)
        rate = self._rates[currency]  # EXPECT: unretrieved-exception
        value = Decimal(str(amount)) / rate
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
