"""Trade weighbridge at the Marsh Lane recycling centre.

The weight indicator streams the platform weight over TCP. When a driver
presses "weigh" on the kiosk, we wait for a steady reading, record the
movement, print a ticket and report the tonnage to the council's waste
data portal.
"""
import asyncio
import contextlib
import logging
import os
from datetime import datetime

import aiohttp
import asyncpg
from aiohttp import web
from escpos.printer import Network

log = logging.getLogger("weighbridge")
INDICATOR = ("10.8.1.30", 4001)
PRINTER_HOST = "10.8.1.40"
PORTAL = "https://wastedata.county-council.example/api/movements"
STEADY_READINGS = 10


def print_ticket(printer: Network, t: dict) -> None:
    printer.set(align="center", bold=True)
    printer.text("MARSH LANE RECYCLING CENTRE\n")
    printer.set(align="left", bold=False)
    printer.text(f"Ticket {t['id']}   {t['at']:%d/%m/%Y %H:%M}\n")
    printer.text(f"Vehicle {t['reg']}   Waste code {t['ewc']}\n")
    printer.text(f"Gross {t['gross']} kg   Tare {t['tare']} kg\nNET {t['net']} kg\n")
    printer.cut()


class Weighbridge:
    def __init__(self, pool: asyncpg.Pool, portal: aiohttp.ClientSession, printer: Network) -> None:
        self.pool = pool
        self.portal = portal
        self.printer = printer
        self.latest = 0
        self.new_reading = asyncio.Condition()

    async def follow(self) -> None:
        reader, writer = await asyncio.open_connection(*INDICATOR)
        try:
            while line := await reader.readline():
                fields = line.decode(errors="replace").strip().split(",")  # "ST,GS,+0012340kg"
                if len(fields) != 3 or not fields[2].endswith("kg"):
                    continue
                async with self.new_reading:
                    self.latest = int(fields[2][:-2])
                    self.new_reading.notify_all()
        finally:
            writer.close()
            await writer.wait_closed()

    async def steady_weight(self, timeout: float = 30) -> int:
        seen: list[int] = []
        async with asyncio.timeout(timeout), self.new_reading:
            while len(seen) < STEADY_READINGS or max(seen[-STEADY_READINGS:]) - min(seen[-STEADY_READINGS:]) > 20:
                await self.new_reading.wait()
                seen.append(self.latest)
        return seen[-1]

    async def report(self, t: dict) -> None:
        body = {"site": "MARSH-LANE", "ewc": t["ewc"], "tonnes": t["net"] / 1000, "at": t["at"].isoformat()}
        # The portal answers 201 with the stored movement as JSON.
        resp = await self.portal.post(PORTAL, json=body)  # bug: ADC401
        if resp.status != 201:
            log.warning("portal refused movement %s: HTTP %s", t["id"], resp.status)


async def weigh(request: web.Request) -> web.Response:
    wb: Weighbridge = request.app["wb"]
    body = await request.json()
    tare = await wb.pool.fetchval("SELECT tare_kg FROM vehicles WHERE reg = $1", body["reg"])
    if tare is None:
        raise web.HTTPNotFound(text="vehicle not registered for trade waste")
    gross = await wb.steady_weight()
    ticket = {"reg": body["reg"], "ewc": body["ewc"], "gross": gross, "tare": tare,
              "net": gross - tare, "at": datetime.now()}
    ticket["id"] = await wb.pool.fetchval(
        "INSERT INTO movements (reg, ewc, gross_kg, tare_kg, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        ticket["reg"], ticket["ewc"], gross, tare, ticket["at"],
    )
    print_ticket(wb.printer, ticket)  # bug: ADC101
    await wb.report(ticket)
    return web.json_response({"ticket": ticket["id"], "net_kg": ticket["net"]})


async def reprint(request: web.Request) -> web.Response:
    wb: Weighbridge = request.app["wb"]
    row = await wb.pool.fetchrow("SELECT * FROM movements WHERE id = $1", int(request.match_info["id"]))
    if row is None:
        raise web.HTTPNotFound()
    ticket = {"id": row["id"], "reg": row["reg"], "ewc": row["ewc"], "gross": row["gross_kg"],
              "tare": row["tare_kg"], "net": row["gross_kg"] - row["tare_kg"], "at": row["at"]}
    await asyncio.to_thread(print_ticket, wb.printer, ticket)
    return web.json_response({"reprinted": ticket["id"]})


async def lifecycle(app: web.Application):
    pool = await asyncpg.create_pool(os.environ["WEIGHBRIDGE_DSN"])
    printer = await asyncio.to_thread(Network, PRINTER_HOST)
    headers = {"Authorization": f"Bearer {os.environ['PORTAL_TOKEN']}"}
    async with aiohttp.ClientSession(headers=headers) as portal:
        app["wb"] = Weighbridge(pool, portal, printer)
        follower = asyncio.create_task(app["wb"].follow())
        yield
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
    await asyncio.to_thread(printer.close)
    await pool.close()


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(lifecycle)
    app.add_routes([web.post("/weigh", weigh), web.post("/tickets/{id}/reprint", reprint)])
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=8090)
