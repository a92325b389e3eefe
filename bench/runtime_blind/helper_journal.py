"""Write-ahead journal with a replica acknowledgement (s07)."""
import os
import threading


class Journal:
    def __init__(self, path: str, replica_ack: threading.Event):
        self.path = path
        self.replica_ack = replica_ack
        self.entries: list[str] = []
        self.acked = False

    async def __aenter__(self):
        self.fh = open(self.path, "a", encoding="utf-8")
        return self

    def append(self, entry: str):
        self.entries.append(entry)
        self.fh.write(entry + "\n")

    async def __aexit__(self, exc_type, exc, tb):
        self.fh.close()
        # wait (synchronously!) for the replica to confirm the batch
        self.acked = self.replica_ack.wait(timeout=0.15)  # EXPECT: blocking-call 150ms
        return False

    def size(self) -> int:
        return os.path.getsize(self.path)
