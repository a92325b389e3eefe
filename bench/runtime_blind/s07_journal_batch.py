"""Batch writer: appends account transfers to a journal inside `async with`."""
import asyncio
import os
import tempfile
import threading

from helper_journal import Journal


async def transfer(journal: Journal, src: str, dst: str, cents: int):
    await asyncio.sleep(0.002)  # validate the accounts
    journal.append(f"{src}->{dst}:{cents}")


async def run_batch(path: str, replica_ack: threading.Event, transfers: list[tuple[str, str, int]]) -> Journal:
    async with Journal(path, replica_ack) as journal:
        for src, dst, cents in transfers:
            await transfer(journal, src, dst, cents)
    return journal


async def main(directory: str):
    ack = threading.Event()  # the replica never answers in this run
    path = os.path.join(directory, "transfers.journal")
    journal = await run_batch(path, ack, [("a", "b", 500), ("b", "c", 120), ("c", "a", 75)])
    print("entries:", journal.entries)
    print("bytes on disk:", journal.size())
    print("replica acked:", journal.acked)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(tmp))
