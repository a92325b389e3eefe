"""Reminder scheduling for the chat bot (n03)."""
import asyncio


class ChatClient:
    def __init__(self):
        self.outbox: list[tuple[str, str]] = []

    async def send(self, user: str, text: str):
        await asyncio.sleep(0.002)  # API call
        self.outbox.append((user, text))


def due_reminders(tasks: dict[str, list[str]], now: int) -> list[tuple[str, str]]:
    return [(user, item) for user, items in sorted(tasks.items()) for item in items if item.endswith(f"@{now}")]


def schedule_reminder(client: ChatClient, user: str, item: str):
    text = f"reminder: {item.split('@')[0]}"
    client.send(user, text)  # EXPECT: never-awaited
    return text
