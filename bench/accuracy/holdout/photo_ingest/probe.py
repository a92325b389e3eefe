import asyncio
import json


async def probe(path: str) -> dict:
    proc = await asyncio.create_subprocess_exec(
        "exiftool", "-json", "-n", path, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    meta = json.loads(out)[0] if out else {}
    return {"w": meta.get("ImageWidth"), "h": meta.get("ImageHeight"), "taken": meta.get("DateTimeOriginal")}
