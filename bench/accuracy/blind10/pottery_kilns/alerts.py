"""Push alerts to the studio's ntfy topic (members' phones)."""
import asyncio
import logging

import httpx

log = logging.getLogger(__name__)

NTFY_URL = "https://ntfy.sh/clayworks-kilns"
_http: httpx.AsyncClient | None = None


def bind(client: httpx.AsyncClient) -> None:
    global _http
    _http = client


async def notify(title: str, text: str, priority: str = "default") -> None:
    try:
        await _http.post(NTFY_URL, content=text, headers={"Title": title, "Priority": priority})
    except httpx.HTTPError:
        log.warning("ntfy unreachable: %s", text)


async def firing_finished(task: asyncio.Task) -> None:
    """Tell the studio that a firing is over, however it ended."""
    if task.cancelled():
        await notify("Kiln", "Firing cancelled", "high")
    elif task.exception() is not None:
        await notify("Kiln", f"Firing failed: {task.exception()!r}", "urgent")
    else:
        await notify("Kiln", f"Firing {task.result()}; do not open above 100 C")
