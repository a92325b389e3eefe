"""Terminal dashboard (Textual) for the staging fleet: host health and recent deploys."""
import asyncio
import atexit
import json
import pathlib

import httpx
import requests
from textual import work
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Log

API = "https://fleet.internal/api"
HISTORY = pathlib.Path.home() / ".fleet-tui-history.json"


class FleetApp(App):
    BINDINGS = [("r", "refresh", "Refresh"), ("d", "deploys", "Deploys"), ("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.http = httpx.AsyncClient(base_url=API, timeout=5)
        self.history: list[str] = []
        atexit.register(self.save_history)  # bug: ADC202

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="hosts")
        yield Log(id="log")
        yield Footer()

    async def on_mount(self) -> None:
        table = self.query_one("#hosts", DataTable)
        table.add_columns("host", "status", "load", "version")
        self.set_interval(10, self.refresh_hosts)
        await self.refresh_hosts()

    async def refresh_hosts(self) -> None:
        resp = await self.http.get("/hosts")
        table = self.query_one("#hosts", DataTable)
        table.clear()
        for h in resp.json():
            table.add_row(h["name"], h["status"], f"{h['load']:.2f}", h["version"])

    async def action_refresh(self) -> None:
        self.history.append("refresh")
        asyncio.create_task(self.refresh_hosts())  # bug: ADC301

    def action_deploys(self) -> None:
        self.history.append("deploys")
        self.load_deploys()

    @work(thread=True, exclusive=True)
    def load_deploys(self) -> None:
        deploys = requests.get(f"{API}/deploys", params={"limit": 20}, timeout=10).json()
        log = self.query_one("#log", Log)
        for d in deploys:
            self.call_from_thread(log.write_line, f"{d['at']} {d['service']} {d['version']} ({d['actor']})")

    async def save_history(self) -> None:
        data = json.dumps(self.history[-200:])
        await asyncio.to_thread(HISTORY.write_text, data)

    async def on_unmount(self) -> None:
        await self.http.aclose()


if __name__ == "__main__":
    FleetApp().run()
