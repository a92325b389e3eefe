"""PrusaSlicer wrapper, shared with the `farm slice` command-line tool."""
import asyncio
import tempfile
from pathlib import Path

PROFILE = "/etc/print-farm/mk4-0.4-pla.ini"


async def _slice(stl: bytes, profile: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp, "model.stl"), Path(tmp, "model.gcode")
        await asyncio.to_thread(src.write_bytes, stl)
        proc = await asyncio.create_subprocess_exec(
            "prusa-slicer", "--export-gcode", "--load", profile, "-o", str(out), str(src)
        )
        if await proc.wait() != 0:
            raise RuntimeError("slicing failed")
        return await asyncio.to_thread(out.read_bytes)


def slice_sync(stl: bytes, profile: str = PROFILE) -> bytes:
    return asyncio.run(_slice(stl, profile))
