"""Signup handler that notifies a webhook receiver in the background."""
import asyncio
import json
import socket


def closed_port() -> int:
    """A local port with nothing listening on it (the receiver is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebhookNotifier:
    def __init__(self, port: int):
        self.port = port

    async def deliver(self, event: dict):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)  # EXPECT: unretrieved-exception
        try:
            writer.write(json.dumps(event).encode() + b"\n")
            await writer.drain()
            await reader.readline()
        finally:
            writer.close()
            await writer.wait_closed()


class SignupService:
    def __init__(self, notifier: WebhookNotifier):
        self.notifier = notifier
        self.users: list[str] = []

    async def signup(self, email: str) -> str:
        await asyncio.sleep(0.005)
        self.users.append(email)
        asyncio.create_task(self.notifier.deliver({"type": "signup", "email": email}))
        return f"welcome {email}"


async def main():
    service = SignupService(WebhookNotifier(closed_port()))
    print(await service.signup("kim@example.org"))
    await asyncio.sleep(0.1)  # keep serving for a while
    print("users:", service.users)


if __name__ == "__main__":
    asyncio.run(main())
