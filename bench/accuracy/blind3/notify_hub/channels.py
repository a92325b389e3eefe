from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiohttp
import aiosmtplib

SLACK_LIMIT = asyncio.Semaphore(4)


class SlackChannel:
    def __init__(self, session: aiohttp.ClientSession, webhook_url: str) -> None:
        self._session = session
        self._url = webhook_url

    async def send(self, recipient: str, text: str) -> None:
        async with SLACK_LIMIT:
            async with self._session.post(self._url, json={"channel": recipient, "text": text}) as resp:
                resp.raise_for_status()


class EmailChannel:
    def __init__(self, host: str, port: int, sender: str, max_connections: int = 5) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._slots = asyncio.BoundedSemaphore(max_connections)

    async def send(self, recipient: str, text: str) -> None:
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = recipient
        msg["Subject"] = text.splitlines()[0][:78]
        msg.set_content(text)
        async with self._slots:
            await aiosmtplib.send(msg, hostname=self._host, port=self._port, start_tls=True)
