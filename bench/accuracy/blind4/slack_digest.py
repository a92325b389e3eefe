"""Post a daily digest of a channel's busiest threads."""
import asyncio
import os
import threading
from collections import Counter

from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

_counter_lock = threading.Lock()  # the metrics exporter thread reads _posted
_posted = Counter()


async def channel_history(client: AsyncWebClient, channel: str, oldest: float) -> list[dict]:
    messages, cursor = [], None
    while True:
        resp = await client.conversations_history(channel=channel, oldest=str(oldest), cursor=cursor, limit=200)
        messages += resp["messages"]
        cursor = resp.get("response_metadata", {}).get("next_cursor")
        if not cursor:
            return messages


async def post_digest(client: AsyncWebClient, channel: str, target: str, oldest: float) -> None:
    messages = await channel_history(client, channel, oldest)
    top = sorted((m for m in messages if m.get("reply_count")), key=lambda m: -m["reply_count"])[:5]
    lines = [f"• {m['text'][:80]} ({m['reply_count']} replies)" for m in top]
    await client.chat_postMessage(channel=target, text="Busiest threads:\n" + "\n".join(lines))
    with _counter_lock:
        _posted[target] += 1


async def main(channels: dict[str, str], oldest: float) -> None:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"])
    sem = asyncio.Semaphore(3)

    async def one(src: str, dst: str) -> None:
        async with sem:
            await post_digest(client, src, dst, oldest)

    await asyncio.gather(*(one(s, d) for s, d in channels.items()))


def post_manual_note(text: str) -> None:
    """Called from the admin shell, outside any event loop."""
    WebClient(token=os.environ["SLACK_BOT_TOKEN"]).chat_postMessage(channel="#digest", text=text)
    with _counter_lock:
        _posted["#digest"] += 1


if __name__ == "__main__":
    import time

    asyncio.run(main({"C01ENG": "#eng-digest", "C01OPS": "#ops-digest"}, time.time() - 86400))
