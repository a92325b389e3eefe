"""Async access logger with size-based rotation into a temporary directory."""
import asyncio
import os
import tempfile


class RotatingLog:
    def __init__(self, directory: str, max_bytes: int):
        self.directory = directory
        self.max_bytes = max_bytes
        self.generation = 0
        self.fh = self._open()

    def _open(self):
        path = os.path.join(self.directory, f"access.{self.generation}.log")
        return open(path, "w", encoding="utf-8")  # EXPECT: unclosed-resource

    def write(self, line: str):
        if self.fh.tell() + len(line) > self.max_bytes:
            self.generation += 1
            self.fh = self._open()  # rotate (the old handle is simply dropped)
        self.fh.write(line)

    def close(self):
        self.fh.close()


async def serve(log: RotatingLog, requests: list[tuple[str, int]]):
    for path, status in requests:
        await asyncio.sleep(0.002)
        log.write(f"GET {path} {status}\n")


async def main(directory: str):
    log = RotatingLog(directory, max_bytes=60)
    await serve(log, [("/", 200), ("/login", 302), ("/home", 200), ("/api/items", 200), ("/missing", 404)])
    log.close()
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8") as fh:
            print(name, len(fh.read().splitlines()), "lines")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(tmp))
