import json
import logging
import time

import aiofiles
from aiohttp import web

log = logging.getLogger(__name__)
JOURNAL = "/var/log/uploads/journal.ndjson"


async def record(entry: dict) -> None:
    fh = await aiofiles.open(JOURNAL, mode="a")  # bug: ADC401
    await fh.write(json.dumps(entry) + "\n")
    await fh.flush()


async def tail(n: int = 50) -> list[dict]:
    async with aiofiles.open(JOURNAL) as fh:
        lines = await fh.readlines()
    return [json.loads(line) for line in lines[-n:]]


async def upload(request: web.Request) -> web.Response:
    reader = await request.multipart()
    part = await reader.next()
    size = 0
    async with aiofiles.open(f"/srv/uploads/{int(time.time())}-{part.filename}", "wb") as out:
        while chunk := await part.read_chunk():
            size += len(chunk)
            await out.write(chunk)
    await record({"file": part.filename, "size": size, "at": time.time()})
    return web.json_response({"size": size})


async def recent(request: web.Request) -> web.Response:
    return web.json_response(await tail(int(request.query.get("n", 50))))
