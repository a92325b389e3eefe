"""On-call helper for Slack, running on slack_bolt's async app."""
import asyncio
import os
import threading

from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

app = AsyncApp(token=os.environ["SLACK_BOT_TOKEN"])
legacy = WebClient(token=os.environ["SLACK_BOT_TOKEN"])  # used by the nightly export

_rotation_lock = threading.Lock()
_rotation: list[str] = []
_current = {"idx": 0}


def load_rotation(path: str) -> None:
    with _rotation_lock, open(path) as fh:
        _rotation[:] = [line.strip() for line in fh if line.strip()]


def _next_engineer() -> str:
    with _rotation_lock:
        _current["idx"] = (_current["idx"] + 1) % len(_rotation)
        return _rotation[_current["idx"]]


@app.command("/oncall-rotate")
async def rotate(ack, respond, client: AsyncWebClient):
    await ack()
    user = _next_engineer()
    await client.chat_postMessage(channel="#oncall", text=f"<@{user}> is now on call")
    await respond(f"Rotated to <@{user}>")


@app.command("/oncall-page")
async def page(ack, respond, command):
    await ack()
    with _rotation_lock:  # bug: ADC102
        user = _rotation[_current["idx"]]
        await respond(f"Paging <@{user}>")
    legacy.chat_postMessage(channel=user, text=f"Page from <@{command['user_id']}>: {command['text']}")  # bug: ADC101


@app.command("/oncall-export")
async def export(ack, respond):
    await ack()
    history = await asyncio.to_thread(legacy.conversations_history, channel="C0ONCALL", limit=200)
    await respond(f"{len(history['messages'])} messages exported")


def nightly_export() -> None:
    legacy.files_upload_v2(channel="C0ONCALL", content="\n".join(_rotation), filename="rotation.txt")


if __name__ == "__main__":
    load_rotation("rotation.txt")
    app.start(port=int(os.environ.get("PORT", 3000)))
