import asyncio
import contextlib
import subprocess


class PingPlugin:
    name = "ping"

    def __init__(self, target: str, interval: float = 10.0) -> None:
        self.target = target
        self.interval = interval
        self._up: bool | None = None
        self._task: asyncio.Task | None = None

    async def start(self, host) -> None:
        self._host = host
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def check(self) -> bool:
        out = subprocess.run(  # bug: ADC101
            ["ping", "-c", "1", "-W", "1", self.target], capture_output=True
        )
        return out.returncode == 0

    async def _loop(self) -> None:
        while True:
            up = await self.check()
            if up != self._up:
                self._up = up
                await self._host.bus.put({"source": self.name, "target": self.target, "up": up})
            await asyncio.sleep(self.interval)
