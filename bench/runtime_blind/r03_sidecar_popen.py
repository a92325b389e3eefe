"""Async worker that launches a helper process (a 'metrics sidecar') at startup."""
import asyncio
import subprocess
import sys

SIDECAR = "import time; time.sleep(0.8)"


class Worker:
    def __init__(self):
        self.done: list[str] = []

    def start_sidecar(self) -> int:
        proc = subprocess.Popen([sys.executable, "-c", SIDECAR], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # EXPECT: unclosed-resource
        return proc.pid

    async def process(self, job: str):
        await asyncio.sleep(0.01)
        self.done.append(job.upper())


async def main():
    worker = Worker()
    pid = worker.start_sidecar()
    print("sidecar started:", pid > 0)
    for job in ["resize", "encode", "publish"]:
        await worker.process(job)
    print("done:", worker.done)


if __name__ == "__main__":
    asyncio.run(main())
