from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict

from aiohttp import WSMsgType, web

log = logging.getLogger("chat")


class Member:
    def __init__(self, name: str, ws: web.WebSocketResponse) -> None:
        self.name = name
        self.ws = ws
        self.outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=256)
        self.writer: asyncio.Task[None] | None = None
        self.dropped = 0

    async def write_loop(self) -> None:
        while not self.ws.closed:
            payload = await self.outbox.get()
            try:
                await self.ws.send_str(payload)
            except:  # bug: ADC601
                self.dropped += 1
                log.debug("send to %s failed (%d dropped)", self.name, self.dropped)


class Rooms:
    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, Member]] = defaultdict(dict)

    def join(self, room: str, member: Member) -> None:
        self.rooms[room][member.name] = member
        member.writer = asyncio.create_task(member.write_loop())

    async def leave(self, room: str, member: Member) -> None:
        self.rooms[room].pop(member.name, None)
        if member.writer is not None:
            member.writer.cancel()
            try:
                await member.writer
            except asyncio.CancelledError:
                pass

    def publish(self, room: str, event: dict) -> None:
        payload = json.dumps(event)
        for member in self.rooms[room].values():
            try:
                member.outbox.put_nowait(payload)
            except asyncio.QueueFull:
                member.dropped += 1


async def chat_ws(request: web.Request) -> web.WebSocketResponse:
    rooms: Rooms = request.app["rooms"]
    room = request.match_info["room"]
    name = request.query.get("name", "anon")
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    member = Member(name, ws)
    rooms.join(room, member)
    rooms.publish(room, {"type": "joined", "name": name})
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data.get("type") == "kick" and request.get("is_moderator"):
                target = rooms.rooms[room].get(data["name"])
                if target is not None:
                    target.ws.close(code=4000, message=b"kicked by moderator")  # bug: ADC201
                    rooms.publish(room, {"type": "kicked", "name": data["name"]})
                continue
            rooms.publish(room, {"type": "message", "name": name, "text": data.get("text", "")[:2000]})
    finally:
        await rooms.leave(room, member)
        rooms.publish(room, {"type": "left", "name": name})
    return ws


def create_app() -> web.Application:
    app = web.Application()
    app["rooms"] = Rooms()
    app.router.add_get("/ws/{room}", chat_ws)
    return app
