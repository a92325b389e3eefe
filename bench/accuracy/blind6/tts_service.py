"""Quart text-to-speech service in front of Amazon Polly, with custom lexicons."""
import asyncio
import hashlib

import aiohttp
import boto3
from quart import Quart, Response, request

app = Quart(__name__)
LEXICON_INDEX = "https://cms.internal/api/lexicons"
_audio_cache: dict[str, bytes] = {}


class Speech:
    def __init__(self, region: str = "eu-west-1") -> None:
        self.polly = boto3.client("polly", region_name=region)
        self.lexicons: list[str] = []

    def synth(self, text: str, voice: str) -> bytes:
        out = self.polly.synthesize_speech(Text=text, VoiceId=voice, OutputFormat="mp3", LexiconNames=self.lexicons)
        return out["AudioStream"].read()


speech = Speech()


async def _fetch_lexicon_names() -> list[str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(LEXICON_INDEX) as resp:
            return [item["name"] for item in await resp.json()]


def refresh_lexicons_sync() -> list[str]:
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(_fetch_lexicon_names())


@app.before_serving
async def warm_up() -> None:
    speech.lexicons = await _fetch_lexicon_names()


@app.post("/speak")
async def speak() -> Response:
    body = await request.get_json()
    text, voice = body["text"], body.get("voice", "Joanna")
    key = hashlib.sha1(f"{voice}:{text}".encode()).hexdigest()
    if key not in _audio_cache:
        _audio_cache[key] = await asyncio.to_thread(speech.synth, text, voice)
    return Response(_audio_cache[key], mimetype="audio/mpeg")


@app.post("/speak/ssml")
async def speak_ssml() -> Response:
    body = await request.get_json()
    async with aiohttp.ClientSession() as http:  # bug: ADC402
        async with http.get(f"https://cms.internal/api/ssml/{body['template']}") as resp:
            template = await resp.text()
    ssml = template.format(**body.get("vars", {}))
    out = speech.polly.synthesize_speech(Text=ssml, TextType="ssml", VoiceId="Joanna", OutputFormat="mp3")  # bug: ADC101
    audio = await asyncio.to_thread(out["AudioStream"].read)
    return Response(audio, mimetype="audio/mpeg")


@app.post("/admin/lexicons/reload")
async def reload_lexicons() -> dict:
    speech.lexicons = refresh_lexicons_sync()  # bug: ADC103
    return {"lexicons": speech.lexicons}


if __name__ == "__main__":
    app.run(port=8040)
