"""Channel logger for an IRC network: writes daily log files, reconnects with backoff."""
import asyncio
import datetime as dt
import logging
import contextlib
import signal

import aiofiles

log = logging.getLogger("irc-logger")


class ChannelLogger:
    def __init__(self, host: str, nick: str, channels: tuple[str, ...], log_dir: str) -> None:
        self.host = host
        self.nick = nick
        self.channels = channels
        self.log_dir = log_dir

    async def _write(self, channel: str, line: str) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        path = f"{self.log_dir}/{channel.lstrip('#')}-{now:%Y-%m-%d}.log"
        async with aiofiles.open(path, "a") as f:
            await f.write(f"[{now:%H:%M:%S}] {line}\n")

    async def session(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, 6697, ssl=True)
        try:
            writer.write(f"NICK {self.nick}\r\nUSER {self.nick} 0 * :logger\r\n".encode())
            await writer.drain()
            while raw := await reader.readline():
                text = raw.decode(errors="replace").rstrip("\r\n")
                prefix, _, rest = text.partition(" ")
                if text.startswith("PING"):
                    writer.write(f"PONG{text[4:]}\r\n".encode())
                    await writer.drain()
                elif rest.startswith("001"):
                    writer.write("".join(f"JOIN {c}\r\n" for c in self.channels).encode())
                    await writer.drain()
                elif rest.startswith("PRIVMSG"):
                    _, channel, message = rest.split(" ", 2)
                    await self._write(channel, f"<{prefix[1:].split('!')[0]}> {message[1:]}")
        except asyncio.CancelledError:
            writer.write(b"QUIT :logger shutting down\r\n")
            raise
        finally:
            writer.close()
            await writer.wait_closed()

    async def run(self) -> None:
        delay = 5
        while True:
            try:
                await self.session()
                delay = 5
            except (OSError, asyncio.IncompleteReadError) as exc:
                log.warning("disconnected: %s; retrying in %ds", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300)


async def main() -> None:
    bot = ChannelLogger("irc.libera.chat", "chanlog-bot", ("#asyncio", "#python-dev"), "/var/log/irc")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(bot.run())
    await stop.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    log.info("stopped")


if __name__ == "__main__":
    asyncio.run(main())
