import asyncio
import io
import tarfile
from pathlib import Path

import httpx

STORE = "https://artifacts.ci.example.dev"


def store_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=STORE, timeout=300)


def _pack(paths: list[Path], root: Path | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path in paths:
            tar.add(path, arcname=str(path.relative_to(root)) if root else path.name)
    return buf.getvalue()


async def upload(client: httpx.AsyncClient, job_id: str, paths: list[Path]) -> list[str]:
    bundle = await asyncio.to_thread(_pack, paths)
    resp = await client.put(f"/jobs/{job_id}/artifacts.tar.gz", content=bundle)
    resp.raise_for_status()
    return resp.json()["urls"]


async def _upload_once(job_id: str, paths: list[Path]) -> list[str]:
    async with store_client() as client:
        return await upload(client, job_id, paths)


def upload_sync(job_id: str, paths: list[Path]) -> list[str]:
    """For `runnerctl upload` on build hosts that don't run the agent."""
    return asyncio.run(_upload_once(job_id, paths))


async def save_cache(client: httpx.AsyncClient, key: str, workdir: Path) -> None:
    cache_dir = workdir / ".cache"
    files = await asyncio.to_thread(lambda: [p for p in cache_dir.rglob("*") if p.is_file()])
    if not files:
        return
    bundle = await asyncio.to_thread(_pack, files, workdir)
    resp = await client.put(f"/cache/{key}.tar.gz", content=bundle)
    resp.raise_for_status()
