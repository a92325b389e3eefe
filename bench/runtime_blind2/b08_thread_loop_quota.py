"""A synchronous billing script that drives an asyncio loop running in a background thread."""
import asyncio
import threading
import time


class LoopThread:
    """Runs an event loop in a daemon-less thread; sync code submits coroutines to it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="io-loop")

    def _serve(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self):
        self._thread.start()
        return self

    def call(self, coro, timeout=5):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


ACCOUNTS = {"a-100": 40.0, "a-200": 0.0, "a-300": 125.5}


def legacy_quota_lookup(account):
    """Old synchronous client of the quota service."""
    time.sleep(0.105)  # EXPECT: blocking-call 105ms
    return 1000 if account.endswith("00") else 10


async def balance(account):
    await asyncio.sleep(0.01)  # async billing API
    return ACCOUNTS[account]


async def quota(account):
    await asyncio.sleep(0)
    return legacy_quota_lookup(account)


async def balances(accounts):
    values = await asyncio.gather(*(balance(a) for a in accounts))
    return dict(zip(accounts, values))


def main():
    io = LoopThread().start()
    try:
        current = io.call(balances(sorted(ACCOUNTS)))
        for account, value in current.items():
            print(f"{account}: balance {value:.2f}")
        print("a-300 quota:", io.call(quota("a-300")))
        overdrawn = [a for a, v in current.items() if v <= 0]
        print("overdrawn:", ", ".join(overdrawn) or "none")
    finally:
        io.stop()


if __name__ == "__main__":
    main()
