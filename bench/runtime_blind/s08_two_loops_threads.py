"""Two subsystems, each with its own event loop in its own thread: a poller (asyncio) and an exporter (uvloop)."""
import asyncio
import threading
import time

import uvloop


class Poller:
    def __init__(self):
        self.samples: list[int] = []

    async def run(self):
        for n in range(6):
            await asyncio.sleep(0.04)
            self.samples.append(n * n)


class Exporter:
    def __init__(self):
        self.exported: list[str] = []

    def compress(self, rows: list[str]) -> str:
        if len(rows) > 2:
            time.sleep(0.2)  # EXPECT: blocking-call 200ms
        return "|".join(rows)

    async def run(self):
        for batch in (["a"], ["b", "c", "d"], ["e"]):
            await asyncio.sleep(0.03)
            self.exported.append(self.compress(batch))


def main():
    poller, exporter = Poller(), Exporter()
    threads = [
        threading.Thread(target=asyncio.run, args=(poller.run(),), name="poller-loop"),
        threading.Thread(target=uvloop.run, args=(exporter.run(),), name="exporter-loop"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("samples:", poller.samples)
    print("exported:", exporter.exported)


if __name__ == "__main__":
    main()
