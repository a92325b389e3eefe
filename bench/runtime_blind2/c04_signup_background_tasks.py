"""A signup service: welcome e-mails go out in background tasks that are tracked and awaited at shutdown."""
import asyncio


class Mailer:
    def __init__(self):
        self.outbox = []

    async def send(self, to, subject):
        await asyncio.sleep(0.03)  # SMTP round trip
        self.outbox.append((to, subject))


class SignupService:
    def __init__(self, mailer):
        self._mailer = mailer
        self._background = set()
        self._users = {}
        self._stats_task = None
        self.stats_samples = 0

    async def start(self):
        self._stats_task = asyncio.create_task(self._stats_loop())

    async def _stats_loop(self):
        while True:
            await asyncio.sleep(0.01)
            self.stats_samples += 1

    def _spawn(self, coro):
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def signup(self, email, name):
        if email in self._users:
            return False
        await asyncio.sleep(0.002)  # INSERT INTO users
        self._users[email] = name
        self._spawn(self._mailer.send(email, f"Welcome, {name}!"))
        return True

    async def shutdown(self):
        if self._background:
            await asyncio.gather(*self._background)
        self._stats_task.cancel()
        try:
            await self._stats_task
        except asyncio.CancelledError:
            pass


async def main():
    mailer = Mailer()
    service = SignupService(mailer)
    await service.start()
    requests = [("ada@example.com", "Ada"), ("bob@example.com", "Bob"), ("ada@example.com", "Ada again")]
    for email, name in requests:
        print(email, "created" if await service.signup(email, name) else "already registered")
    print("mails sent before shutdown:", len(mailer.outbox))
    await service.shutdown()
    for to, subject in sorted(mailer.outbox):
        print(f"mail to {to}: {subject}")


if __name__ == "__main__":
    asyncio.run(main())
