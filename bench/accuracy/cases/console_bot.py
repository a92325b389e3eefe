"""Local console front-end for the support bot, for trying dialogs by hand."""

import asyncio
import logging

from bot.engine import DialogEngine

logger = logging.getLogger(__name__)


class ConsoleBot:
    def __init__(self, engine: DialogEngine, user_id: str = "console") -> None:
        self.engine = engine
        self.user_id = user_id
        self.history: list[tuple[str, str]] = []

    async def send(self, text: str) -> None:
        print(f"bot> {text}")
        self.history.append(("bot", text))
        await asyncio.sleep(0)

    async def greet(self) -> None:
        await self.send("Hi! Type 'quit' to leave.")

    async def run(self) -> None:
        await self.greet()
        while True:
            line = input("you> ")  # bug: ADC101
            if line.strip().lower() in {"quit", "exit"}:
                self.send("Bye!")  # bug: ADC201
                break
            self.history.append(("user", line))
            reply = await self.engine.respond(self.user_id, line)
            await self.send(reply)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    engine = DialogEngine.from_config("bot.yaml")
    asyncio.run(ConsoleBot(engine).run())


if __name__ == "__main__":
    main()
