from __future__ import annotations

import logging
from collections import defaultdict

from chat import notifier
from chat.notifier import render_system

log = logging.getLogger(__name__)


class RoomRegistry:
    def __init__(self) -> None:
        self._rooms: dict[str, set] = defaultdict(set)

    async def join(self, room: str, ws, nick: str) -> None:
        self._rooms[room].add(ws)
        await notifier.broadcast(self._rooms[room], render_system(f"{nick} joined"))

    async def leave(self, room: str, ws, nick: str) -> None:
        members = self._rooms.get(room)
        if not members:
            return
        members.discard(ws)
        if not members:
            del self._rooms[room]
            return
        notifier.broadcast(members, render_system(f"{nick} left"))  # bug: ADC201

    async def say(self, room: str, nick: str, text: str) -> int:
        return await notifier.broadcast(
            self._rooms.get(room, ()), {"type": "message", "from": nick, "text": text}
        )

    def rooms(self) -> list[str]:
        return sorted(self._rooms)
