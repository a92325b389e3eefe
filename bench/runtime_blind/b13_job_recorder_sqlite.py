"""Job recorder: an async scheduler writes job results to SQLite, a backup thread locks it."""
import asyncio
import os
import sqlite3
import tempfile
import threading


class BackupThread(threading.Thread):
    """Takes an exclusive lock on the database while it 'copies' it."""

    def __init__(self, path: str):
        super().__init__(name="backup")
        self.path = path
        self.locked = threading.Event()
        self.finish = threading.Event()

    def run(self):
        conn = sqlite3.connect(self.path)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            self.locked.set()
            self.finish.wait(5)
            conn.rollback()
        finally:
            conn.close()


class JobRecorder:
    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, timeout=0.3)
        self.conn.execute("CREATE TABLE IF NOT EXISTS jobs (name TEXT, status TEXT)")
        self.conn.commit()
        self.deferred: list[str] = []

    async def record(self, name: str, status: str):
        await asyncio.sleep(0.01)
        try:
            self.conn.execute("INSERT INTO jobs VALUES (?, ?)", (name, status))  # EXPECT: blocking-call 300ms
            self.conn.commit()
        except sqlite3.OperationalError as exc:
            self.conn.rollback()
            self.deferred.append(f"{name} ({exc})")

    def close(self):
        self.conn.close()


async def main(path: str):
    recorder = JobRecorder(path)
    await recorder.record("resize-images", "ok")
    backup = BackupThread(path)
    backup.start()
    await asyncio.to_thread(backup.locked.wait, 5)
    await recorder.record("send-digest", "ok")
    backup.finish.set()
    await asyncio.to_thread(backup.join)
    await recorder.record("cleanup", "failed")
    rows = recorder.conn.execute("SELECT name, status FROM jobs ORDER BY rowid").fetchall()
    recorder.close()
    print("recorded:", rows)
    print("deferred:", recorder.deferred)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(os.path.join(tmp, "jobs.db")))
