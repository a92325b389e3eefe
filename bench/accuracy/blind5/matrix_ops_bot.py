"""Matrix bot for the ops room: answers !status, relays deploy notices."""
import asyncio
import logging
import signal

from nio import AsyncClient, LoginResponse, RoomMessageText

log = logging.getLogger("ops-bot")


class OpsBot:
    def __init__(self, homeserver: str, user: str, password: str, room_id: str, status_api) -> None:
        self.client = AsyncClient(homeserver, user)
        self.password = password
        self.room_id = room_id
        self.status_api = status_api
        self.stopped = asyncio.Event()

    async def say(self, text: str) -> None:
        await self.client.room_send(self.room_id, "m.room.message", {"msgtype": "m.notice", "body": text})

    async def on_message(self, room, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id or not event.body.startswith("!"):
            return
        if event.body.strip() == "!status":
            services = await self.status_api.summary()
            await self.say("\n".join(f"{s['name']}: {s['state']}" for s in services))

    async def relay_deploys(self, queue: asyncio.Queue) -> None:
        while True:
            notice = await queue.get()
            try:
                await self.say(f"deploy {notice['service']} {notice['version']} by {notice['actor']}")
            except asyncio.CancelledError:  # bug: ADC601
                log.warning("relay interrupted while sending %s", notice)
            finally:
                queue.task_done()

    async def shutdown(self) -> None:
        await self.say("ops-bot going offline")
        self.stopped.set()

    async def run(self, deploys: asyncio.Queue) -> None:
        resp = await self.client.login(self.password)
        if not isinstance(resp, LoginResponse):
            raise RuntimeError(f"login failed: {resp}")
        self.client.add_event_callback(self.on_message, RoomMessageText)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.shutdown)  # bug: ADC202
        sync = asyncio.create_task(self.client.sync_forever(timeout=30000, full_state=True))
        relay = asyncio.create_task(self.relay_deploys(deploys))
        try:
            await self.stopped.wait()
        finally:
            sync.cancel()
            relay.cancel()
            await asyncio.gather(sync, relay, return_exceptions=True)
            await self.client.close()
