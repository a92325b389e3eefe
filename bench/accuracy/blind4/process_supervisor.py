"""Keeps a few worker processes alive; restarts them when they die."""
import asyncio
import contextlib
import logging
import os
import signal

log = logging.getLogger("supervisor")


def reap_zombies() -> list[int]:
    """Collect any exited children left over from a previous generation (non-blocking)."""
    reaped = []
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        reaped.append(pid)
    return reaped


class Supervisor:
    def __init__(self, commands: dict[str, list[str]]):
        self.commands = commands
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.stopping = asyncio.Event()
        self._watchers: set[asyncio.Task] = set()

    def request_stop(self) -> None:
        log.info("stop requested")
        self.stopping.set()

    async def _keep_alive(self, name: str, argv: list[str]) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            proc = await asyncio.create_subprocess_exec(*argv)
            self.procs[name] = proc
            rc = await proc.wait()
            log.warning("%s exited with %s", name, rc)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=backoff)
            backoff = min(backoff * 2, 60)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        log.info("reaped %d stale children", len(reap_zombies()))
        for name, argv in self.commands.items():
            t = asyncio.create_task(self._keep_alive(name, argv), name=f"keep-{name}")
            self._watchers.add(t)
            t.add_done_callback(self._watchers.discard)
        await self.stopping.wait()
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.terminate()
        await asyncio.gather(*(p.wait() for p in self.procs.values()))
        for t in list(self._watchers):
            t.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Supervisor({"web": ["gunicorn", "app:app"], "worker": ["python", "-m", "worker"]}).run())
