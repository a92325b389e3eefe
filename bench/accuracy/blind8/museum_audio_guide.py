"""Audio guide for a city museum: visitors scan the QR code next to an exhibit.

Curators' recorded narrations are normalised once by the `prerender` command;
texts without a recording are voiced on demand with ElevenLabs and cached.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import aiofiles.os
from elevenlabs.client import ElevenLabs
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

CACHE = Path(os.environ.get("GUIDE_CACHE", "/srv/guide/cache"))
RECORDINGS = Path(os.environ.get("GUIDE_RECORDINGS", "/srv/guide/recordings"))
LANGS = ("en", "fr", "de", "es", "it", "ja")
VOICES = {"en": "Rachel", "fr": "Charlotte", "de": "Daniel", "es": "Lucia", "it": "Giorgio", "ja": "Kaito"}
with open(os.environ.get("GUIDE_TEXTS", "/srv/guide/texts.json")) as fh:
    TEXTS: dict[str, dict[str, str]] = json.load(fh)

voice = ElevenLabs(api_key=os.environ.get("ELEVENLABS_API_KEY"))
app = FastAPI()


@app.get("/exhibits/{exhibit_id}/audio/{lang}")
async def exhibit_audio(exhibit_id: str, lang: str):
    if lang not in LANGS or exhibit_id not in TEXTS:
        raise HTTPException(404)
    recorded = RECORDINGS / exhibit_id / f"{lang}.mp3"
    if await aiofiles.os.path.exists(recorded):
        return FileResponse(recorded, media_type="audio/mpeg")
    cached = CACHE / exhibit_id / f"{lang}.mp3"
    if not await aiofiles.os.path.exists(cached):
        audio = b"".join(voice.text_to_speech.convert(  # bug: ADC101
            voice_id=VOICES[lang], text=TEXTS[exhibit_id][lang], model_id="eleven_multilingual_v2"))
        await aiofiles.os.makedirs(cached.parent, exist_ok=True)
        async with aiofiles.open(cached, "wb") as out:
            await out.write(audio)
    return FileResponse(cached, media_type="audio/mpeg")


@app.get("/exhibits/{exhibit_id}")
async def exhibit(exhibit_id: str, lang: str = "en"):
    if exhibit_id not in TEXTS:
        raise HTTPException(404)
    return {"id": exhibit_id, "text": TEXTS[exhibit_id].get(lang, TEXTS[exhibit_id]["en"]),
            "audio": f"/exhibits/{exhibit_id}/audio/{lang}"}


async def normalise(src: Path, dst: Path) -> int:
    proc = await asyncio.create_subprocess_exec(
        "ffmpeg", "-y", "-loglevel", "error", "-i", str(src), "-af", "loudnorm=I=-16:TP=-1.5",
        "-codec:a", "libmp3lame", "-b:a", "96k", str(dst))
    return await proc.wait()


async def render_exhibit(exhibit_id: str) -> list[int]:
    src_dir = RECORDINGS / exhibit_id / "raw"
    return await asyncio.gather(*(normalise(src_dir / f"{lang}.wav", RECORDINGS / exhibit_id / f"{lang}.mp3")
                                  for lang in LANGS))


def prerender(exhibit_ids: list[str]) -> None:
    for exhibit_id in exhibit_ids or sorted(TEXTS):
        codes = asyncio.run(render_exhibit(exhibit_id))  # bug: ADC505
        failed = [lang for lang, rc in zip(LANGS, codes) if rc != 0]
        print(f"{exhibit_id}: {'ok' if not failed else 'failed: ' + ', '.join(failed)}")


if __name__ == "__main__" and sys.argv[1:2] == ["prerender"]:
    prerender(sys.argv[2:])
