"""Currency conversion through the finance team's rates service."""
import httpx

RATES_URL = "https://rates.finance.internal/v1/convert"


async def convert(client: httpx.AsyncClient, amount: float, currency: str, to: str = "EUR") -> float:
    if currency == to:
        return amount
    resp = await client.get(RATES_URL, params={"amount": amount, "from": currency, "to": to})
    resp.raise_for_status()
    return resp.json()["result"]
