"""Oral history batch tool: normalise recordings, transcribe, summarise, deposit to the archive.

usage: oralhist process /mnt/recordings/2026-autumn --config ~/.config/oralhist.toml
"""
import argparse
import asyncio
import getpass
import hashlib
import tomllib
from pathlib import Path

import anthropic
import httpx
import openai

TRANSCRIBE_AT_ONCE = 3


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def normalise(src: Path, out_dir: Path) -> Path:
    dest = out_dir / (src.stem + ".flac")
    proc = await asyncio.create_subprocess_exec(
        "ffmpeg", "-nostdin", "-y", "-i", str(src), "-ac", "1", "-ar", "16000", "-af", "loudnorm", str(dest),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed on {src.name}: {err.decode()[-400:]}")
    return dest


def transcribe(client: openai.OpenAI, audio: Path) -> str:
    with audio.open("rb") as fh:
        return client.audio.transcriptions.create(model="whisper-1", file=fh, response_format="text")


def summarise(client: anthropic.Anthropic, transcript: str) -> str:
    msg = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=600,
        messages=[{"role": "user", "content": "Write a 150-word catalogue abstract of this oral history "
                   "interview. Name places and decades, not the interviewee's relatives.\n\n" + transcript}],
    )
    return msg.content[0].text


async def prepare(src: Path, out_dir: Path, slots: asyncio.Semaphore, ai: tuple) -> dict:
    whisper, claude = ai
    async with slots:
        flac = await normalise(src, out_dir)
        transcript = await asyncio.to_thread(transcribe, whisper, flac)
        abstract = await asyncio.to_thread(summarise, claude, transcript)
        checksum = await asyncio.to_thread(sha256_of, src)
    return {"source": src, "flac": flac, "transcript": transcript, "abstract": abstract, "sha256": checksum}


async def deposit(archive: httpx.AsyncClient, item: dict) -> str:
    files = {
        "audio": (item["flac"].name, await asyncio.to_thread(item["flac"].read_bytes), "audio/flac"),
        "transcript": (item["source"].stem + ".txt", item["transcript"].encode(), "text/plain"),
    }
    data = {"title": item["source"].stem.replace("_", " "), "abstract": item["abstract"], "sha256": item["sha256"]}
    resp = await archive.post("/sword/collections/oral-history", files=files, data=data)
    resp.raise_for_status()
    return resp.headers["Location"]


async def run(sources: list[Path], out_dir: Path, cfg: dict, password: str) -> None:
    ai = (openai.OpenAI(api_key=cfg["openai_key"]), anthropic.Anthropic(api_key=cfg["anthropic_key"]))
    slots = asyncio.Semaphore(TRANSCRIBE_AT_ONCE)
    items = await asyncio.gather(*(prepare(src, out_dir, slots, ai) for src in sources))
    auth = (cfg["archive_user"], password)
    async with httpx.AsyncClient(base_url=cfg["archive_url"], auth=auth, timeout=600) as archive:
        # the archive's SWORD endpoint takes one deposit per account at a time
        for item in items:
            location = await deposit(archive, item)
            print(f"{item['source'].name} -> {location}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="oralhist")
    parser.add_argument("command", choices=["process"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--config", type=Path, default=Path.home() / ".config" / "oralhist.toml")
    args = parser.parse_args()
    with args.config.open("rb") as fh:
        cfg = tomllib.load(fh)
    sources = sorted(args.folder.glob("*.wav"))
    out_dir = args.folder / "normalised"
    out_dir.mkdir(exist_ok=True)
    password = getpass.getpass(f"Archive password for {cfg['archive_user']}: ")
    asyncio.run(run(sources, out_dir, cfg, password))


if __name__ == "__main__":
    main()
