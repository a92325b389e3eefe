"""Outgoing mail relay client with a retry policy (uvloop)."""
import asyncio
import time

import uvloop


class TransientError(Exception):
    pass


class RelayConnection:
    def __init__(self, failures: int):
        self.failures = failures
        self.sent: list[str] = []

    async def send(self, rcpt: str, body: str):
        await asyncio.sleep(0.01)
        if self.failures:
            self.failures -= 1
            raise TransientError("451 try again later")
        self.sent.append(rcpt)


def backoff(attempt: int):
    time.sleep(1.0 * attempt)  # EXPECT: blocking-call 1000ms


async def deliver(conn: RelayConnection, rcpt: str, body: str, attempts: int = 3) -> int:
    for attempt in range(1, attempts + 1):
        try:
            await conn.send(rcpt, body)
            return attempt
        except TransientError as exc:
            print(f"{rcpt}: attempt {attempt} failed: {exc}")
            backoff(attempt)
    raise RuntimeError(f"giving up on {rcpt}")


async def main():
    conn = RelayConnection(failures=1)
    for rcpt in ["ops@example.org", "billing@example.org"]:
        tries = await deliver(conn, rcpt, "weekly report")
        print(f"{rcpt}: delivered after {tries} attempt(s)")
    print("sent:", conn.sent)


if __name__ == "__main__":
    uvloop.run(main())
