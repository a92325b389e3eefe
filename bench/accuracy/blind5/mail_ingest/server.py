import asyncio
import dataclasses
import os
import signal

import asyncpg
import httpx
from aiosmtpd.smtp import SMTP

from .handlers import IngestHandler


@dataclasses.dataclass
class AppState:
    http: httpx.AsyncClient
    db: asyncpg.Pool
    helpdesk_url: str
    scanner_host: str


async def serve(host: str = "0.0.0.0", port: int = 2525) -> None:
    db = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=5)
    http = httpx.AsyncClient(timeout=15, headers={"Authorization": f"Bearer {os.environ['HELPDESK_TOKEN']}"})
    state = AppState(http=http, db=db, helpdesk_url=os.environ["HELPDESK_URL"],
                     scanner_host=os.environ.get("CLAMD_HOST", "clamd"))
    handler = IngestHandler(state)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, data_size_limit=25 * 2**20), host, port)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with server:
            await stop.wait()
    finally:
        await handler.drain()
        await http.aclose()
        await db.close()


if __name__ == "__main__":
    asyncio.run(serve())
