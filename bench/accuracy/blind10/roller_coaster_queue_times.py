"""Theme park queue-time boards: every minute, read each ride's queue counter
and dispatch rate, compute the posted wait, and update the LED boards and the
park app. Ride closures are announced once."""
import asyncio
import contextlib
import logging
import signal

import aiohttp

log = logging.getLogger("queues")

RIDES = {
    "thunder_ridge": {"counter": "http://10.8.1.21/api/queue", "board": "http://10.8.2.21/display"},
    "the_abyss": {"counter": "http://10.8.1.22/api/queue", "board": "http://10.8.2.22/display"},
    "log_flume": {"counter": "http://10.8.1.23/api/queue", "board": "http://10.8.2.23/display"},
    "sky_swinger": {"counter": "http://10.8.1.24/api/queue", "board": "http://10.8.2.24/display"},
}
PARK_APP = "https://api.parkapp.example/v1/waits"


def posted_wait(in_queue: int, riders_per_hour: int) -> int:
    if riders_per_hour <= 0:
        return -1
    minutes = in_queue / riders_per_hour * 60
    return int(5 * round(minutes / 5)) or 5


class QueueBoards:
    def __init__(self, http: aiohttp.ClientSession):
        self.http = http
        self.stop = asyncio.Event()
        self.closed: set[str] = set()
        self.board_writes = asyncio.Semaphore(2)  # the LED controllers choke on more
        self._bg: set[asyncio.Task] = set()

    async def read_ride(self, ride: str) -> tuple[str, int]:
        async with self.http.get(RIDES[ride]["counter"], timeout=aiohttp.ClientTimeout(total=5)) as resp:
            data = await resp.json()
        if data["state"] != "operating":
            return ride, -1
        return ride, posted_wait(data["in_queue"], data["riders_per_hour"])

    async def update_board(self, ride: str, wait: int) -> None:
        text = "TEMPORARILY CLOSED" if wait < 0 else f"{wait} MIN"
        async with self.board_writes:
            async with self.http.post(RIDES[ride]["board"], json={"line1": text}) as resp:
                resp.raise_for_status()

    async def announce_closure(self, ride: str) -> None:
        async with self.http.post(f"{PARK_APP}/{ride}/closure", json={"message": "Temporarily closed"}) as resp:
            resp.raise_for_status()

    async def tick(self) -> None:
        results = await asyncio.gather(*(self.read_ride(r) for r in RIDES), return_exceptions=True)
        waits = dict(r for r in results if not isinstance(r, BaseException))
        await asyncio.gather(*(self.update_board(r, w) for r, w in waits.items()))
        async with self.http.put(PARK_APP, json=waits) as resp:
            resp.raise_for_status()
        for ride, wait in waits.items():
            if wait < 0 and ride not in self.closed:
                self.closed.add(ride)
                t = asyncio.create_task(self.announce_closure(ride))
                self._bg.add(t)
                t.add_done_callback(self._bg.discard)
            elif wait >= 0:
                self.closed.discard(ride)

    async def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    await self.tick()
                except aiohttp.ClientError as exc:
                    log.warning("tick failed: %s", exc)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=60)
        except asyncio.CancelledError:
            log.info("boards stopping mid-tick")
            raise


async def main() -> None:
    async with aiohttp.ClientSession() as http:
        boards = QueueBoards(http)
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, boards.stop.set)
        await boards.run()
        await asyncio.gather(*boards._bg, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
