"""Async client for a fleet of OctoPrint instances."""
import asyncio
import threading

import aiohttp


class Printer:
    def __init__(self, name: str, url: str, api_key: str, session: aiohttp.ClientSession) -> None:
        self.name = name
        self.url = url
        self.session = session
        self.headers = {"X-Api-Key": api_key}

    async def state(self) -> str:
        async with self.session.get(f"{self.url}/api/printer", headers=self.headers) as resp:
            return (await resp.json())["state"]["text"]

    async def upload_and_print(self, filename: str, gcode: bytes) -> None:
        form = aiohttp.FormData()
        form.add_field("file", gcode, filename=filename)
        form.add_field("print", "true")
        async with self.session.post(f"{self.url}/api/files/local", data=form, headers=self.headers) as resp:
            resp.raise_for_status()

    async def cancel_job(self) -> None:
        async with self.session.post(f"{self.url}/api/job", json={"command": "cancel"}, headers=self.headers) as resp:
            resp.raise_for_status()


class Fleet:
    def __init__(self, printers: list[Printer]) -> None:
        self.printers = {p.name: p for p in printers}
        self.busy: set[str] = set()
        # the Flask status page runs in a thread and reads `busy` too
        self.lock = threading.Lock()

    async def claim_idle(self) -> Printer | None:
        with self.lock:  # bug: ADC102
            states = await asyncio.gather(*(p.state() for p in self.printers.values()))
            for (name, printer), state in zip(self.printers.items(), states):
                if name not in self.busy and state == "Operational":
                    self.busy.add(name)
                    return printer
        return None

    def release(self, name: str) -> None:
        with self.lock:
            self.busy.discard(name)
