import asyncio
import tempfile
from asyncio.subprocess import PIPE, STDOUT
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Result:
    status: str
    workdir: Path
    artifacts: list[Path] = field(default_factory=list)


def _collect(workdir: Path, patterns: list[str]) -> list[Path]:
    return [p for pattern in patterns for p in workdir.glob(pattern) if p.is_file()]


async def _run(argv: list[str], sink) -> int:
    proc = await asyncio.create_subprocess_exec(*argv, stdout=PIPE, stderr=STDOUT)
    try:
        async for raw in proc.stdout:
            await sink(raw.decode(errors="replace").rstrip())
        return await proc.wait()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise


async def run_steps(job: dict, sink) -> Result:
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=f"job-{job['id']}-"))
    clone = ["git", "clone", "--depth", "50", job["repo"], str(workdir)]
    if await _run(clone, sink) != 0:
        return Result("error", workdir)
    await _run(["git", "-C", str(workdir), "checkout", job["sha"]], sink)
    for step in job["steps"]:
        await sink(f"$ {step['run']}")
        code = await _run(
            ["docker", "run", "--rm", "-v", f"{workdir}:/work", "-w", "/work",
             job["image"], "sh", "-c", step["run"]],
            sink,
        )
        if code != 0:
            return Result("failed", workdir)
    found = await asyncio.to_thread(_collect, workdir, job.get("artifacts", []))
    return Result("success", workdir, found)
