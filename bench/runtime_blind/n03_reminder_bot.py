"""Chat bot that answers commands and sends reminders when they are due."""
import asyncio

from helper_notify import ChatClient, due_reminders, schedule_reminder


class Bot:
    def __init__(self, client: ChatClient):
        self.client = client
        self.todo: dict[str, list[str]] = {}

    async def on_message(self, user: str, text: str):
        command, _, arg = text.partition(" ")
        if command == "/todo":
            self.todo.setdefault(user, []).append(arg)
            await self.client.send(user, f"saved: {arg.split('@')[0]}")
        elif command == "/list":
            items = ", ".join(i.split("@")[0] for i in self.todo.get(user, []))
            await self.client.send(user, items or "nothing to do")
        else:
            await self.client.send(user, "unknown command")

    async def tick(self, now: int) -> list[str]:
        await asyncio.sleep(0.01)
        return [schedule_reminder(self.client, user, item) for user, item in due_reminders(self.todo, now)]


async def main():
    client = ChatClient()
    bot = Bot(client)
    for user, text in [("ana", "/todo water plants@3"), ("ben", "/list"), ("ana", "/dance")]:
        await bot.on_message(user, text)
    for now in (1, 2, 3):
        sent = await bot.tick(now)
        print(f"tick {now}: {sent}")
    for user, text in client.outbox:
        print(f"-> {user}: {text}")


if __name__ == "__main__":
    asyncio.run(main())
