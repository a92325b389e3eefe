"""Chat bot session: logs in, starts a heartbeat, handles a few updates, logs out."""
import asyncio


class Gateway:
    def __init__(self):
        self.beats = 0
        self.updates = [("hi", "ana"), ("/help", "ben"), ("bye", "ana")]

    async def login(self) -> str:
        await asyncio.sleep(0.01)
        return "session-1"

    async def beat(self):
        await asyncio.sleep(0)
        self.beats += 1

    async def next_update(self):
        await asyncio.sleep(0.02)
        return self.updates.pop(0) if self.updates else None


class Bot:
    def __init__(self, gateway: Gateway):
        self.gateway = gateway
        self.replies: list[str] = []

    async def heartbeat(self, interval: float):
        while True:
            await self.gateway.beat()
            await asyncio.sleep(interval)

    async def run(self):
        session = await self.gateway.login()
        print("logged in:", session)
        asyncio.create_task(self.heartbeat(5.0))  # EXPECT: pending-task
        while (update := await self.gateway.next_update()) is not None:
            text, user = update
            reply = "see you" if text == "bye" else ("commands: /help" if text == "/help" else f"hello {user}")
            self.replies.append(f"@{user} {reply}")
        print("logged out")


async def main():
    gateway = Gateway()
    bot = Bot(gateway)
    await bot.run()
    for reply in bot.replies:
        print(reply)
    print("heartbeats sent:", gateway.beats)


if __name__ == "__main__":
    asyncio.run(main())
