"""Cattle movement reporting to the national livestock traceability service."""
import aiohttp

TRACE_URL = "https://api.livestock-trace.example/v1"


async def report_sale(session: aiohttp.ClientSession, lot: dict, market_cph: str) -> str:
    """One off-movement (seller holding -> market) and on-movement (market -> buyer) pair."""
    payload = {
        "eartag": lot["eartag"],
        "from_cph": lot["seller_cph"],
        "via_cph": market_cph,
        "to_cph": lot["buyer_cph"],
        "moved_on": lot["sold_at"].date().isoformat(),
        "movement_type": "MARKET",
    }
    async with session.post(f"{TRACE_URL}/movements", json=payload) as resp:
        resp.raise_for_status()
        return (await resp.json())["movement_ref"]


async def passport_ok(session: aiohttp.ClientSession, eartag: str) -> bool:
    async with session.get(f"{TRACE_URL}/animals/{eartag}") as resp:
        if resp.status == 404:
            return False
        resp.raise_for_status()
        body = await resp.json()
    return body["status"] == "ALIVE" and not body.get("movement_restriction")
