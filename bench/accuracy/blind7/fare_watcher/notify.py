"""Telegram alerts through the Bot API."""
import asyncio

import httpx


async def send_alert(http: httpx.AsyncClient, token: str, chat_id: str, text: str) -> None:
    for attempt in range(4):
        resp = await http.post(f"https://api.telegram.org/bot{token}/sendMessage",
                               json={"chat_id": chat_id, "text": text})
        if resp.status_code != 429:
            resp.raise_for_status()
            return
        retry_after = resp.json().get("parameters", {}).get("retry_after", 2 ** attempt)
        await asyncio.sleep(retry_after)
    raise RuntimeError("Telegram kept rate-limiting the alert")
