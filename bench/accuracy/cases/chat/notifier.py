import json
import logging
import time
from typing import Iterable

import websockets

from chat.history import history_store

log = logging.getLogger(__name__)


async def broadcast(sockets: Iterable, message: dict) -> int:
    message = {"ts": time.time(), **message}
    await history_store.append(message)
    targets = list(sockets)
    websockets.broadcast(targets, json.dumps(message))
    log.debug("broadcast %s to %d sockets", message.get("type"), len(targets))
    return len(targets)


def render_system(text: str) -> dict:
    return {"type": "system", "text": text}
