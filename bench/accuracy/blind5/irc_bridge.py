"""Bridge a Slack-like webhook channel into IRC: join, relay lines, answer PINGs."""
import asyncio
import logging

log = logging.getLogger("irc-bridge")


class IrcBridge:
    def __init__(self, host: str, port: int, nick: str, channel: str) -> None:
        self.host, self.port = host, port
        self.nick, self.channel = nick, channel
        self.registered = False
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, line: str) -> None:
        assert self.writer is not None
        self.writer.write((line + "\r\n").encode())
        await self.writer.drain()

    async def read_loop(self) -> None:
        assert self.reader is not None
        while line := await self.reader.readline():
            text = line.decode(errors="replace").rstrip("\r\n")
            if text.startswith("PING"):
                await self.send("PONG" + text[4:])
            elif " 001 " in text:
                await self.send(f"JOIN {self.channel}")
                self.registered = True
            elif " PRIVMSG " in text:
                log.debug("irc: %s", text)

    async def relay(self, message: str) -> None:
        while not self.registered:  # bug: ADC503
            await asyncio.sleep(0.2)
        for chunk in message.splitlines():
            await self.send(f"PRIVMSG {self.channel} :{chunk[:400]}")

    async def server_reachable(self, fallback_host: str) -> bool:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(fallback_host, self.port), 5)  # bug: ADC401
        except (OSError, asyncio.TimeoutError):
            return False
        banner = await reader.read(64)
        return bool(banner)

    async def run(self, incoming: asyncio.Queue) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, ssl=True)
        reader_task = asyncio.create_task(self.read_loop())
        try:
            await self.send(f"NICK {self.nick}")
            await self.send(f"USER {self.nick} 0 * :relay bot")
            while not reader_task.done():
                message = await incoming.get()
                await self.relay(message)
        finally:
            reader_task.cancel()
            self.writer.close()
            await self.writer.wait_closed()
