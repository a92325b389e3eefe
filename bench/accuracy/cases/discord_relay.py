import json
import logging
import os

import httpx
import websockets

log = logging.getLogger("relay")

GATEWAY = os.environ.get("CHAT_GATEWAY", "wss://chat.example.com/stream")
TRANSLATE_URL = "https://translate.internal/v1/translate"


async def translate(text: str, target: str = "en") -> str:
    async with httpx.AsyncClient(timeout=5) as client:  # bug: ADC402
        resp = await client.post(TRANSLATE_URL, json={"q": text, "target": target})
        resp.raise_for_status()
        return resp.json()["translatedText"]


async def relay(out_channel):
    async with websockets.connect(GATEWAY) as ws:
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("type") != "message":
                continue
            text = await translate(msg["text"])
            await out_channel.send(f"[{msg['author']}] {text}")
