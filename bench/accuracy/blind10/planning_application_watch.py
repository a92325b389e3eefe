"""Residents' association planning watch: polls three councils' planning
portals for applications on members' streets and emails an hourly digest."""
import asyncio
import contextlib
import logging
import signal
from email.message import EmailMessage

import aiosmtplib
import aiosqlite
import httpx

log = logging.getLogger("planning")

COUNCILS = ("leeds", "bradford", "wakefield")
PORTAL = "https://planning.{council}.gov.example/api/v1"


async def fetch_new(client: httpx.AsyncClient, council: str, since: str) -> list[dict]:
    base, out, page = PORTAL.format(council=council), [], 1
    while True:
        resp = await client.get(f"{base}/applications", params={"received_from": since, "page": page, "per_page": 50})
        resp.raise_for_status()
        body = resp.json()
        out += [a | {"council": council} for a in body["applications"]]
        if page >= body["pages"]:
            return out
        page += 1


async def site_plan_pdf(client: httpx.AsyncClient, council: str, ref: str) -> bytes:
    """The portal renders documents on request; poll its export job, bounded."""
    base = PORTAL.format(council=council)
    job = (await client.post(f"{base}/exports", json={"ref": ref, "document": "site_plan"})).json()
    async with asyncio.timeout(120):
        while True:
            status = (await client.get(f"{base}/exports/{job['id']}")).json()
            if status["state"] == "ready":
                return (await client.get(status["href"])).content
            if status["state"] == "failed":
                raise RuntimeError(f"export of {ref} failed")
            await asyncio.sleep(3)


class Watch:
    def __init__(self, db: aiosqlite.Connection, client: httpx.AsyncClient):
        self.db, self.client = db, client
        self.stop = asyncio.Event()
        self._bg: set[asyncio.Task] = set()

    async def cycle(self) -> None:
        async with self.db.execute("SELECT coalesce(max(received), '2024-01-01') FROM seen") as cur:
            (since,) = await cur.fetchone()
        batches = await asyncio.gather(*(fetch_new(self.client, c, since) for c in COUNCILS))
        apps = sorted((a for b in batches for a in b), key=lambda a: a["received"])
        # one connection, one transaction: digest numbers follow the insert order
        for a in apps:
            await self.db.execute("INSERT OR IGNORE INTO seen (ref, council, street, received) VALUES (?, ?, ?, ?)",
                                  (a["ref"], a["council"], a["street"], a["received"]))
        await self.db.commit()
        async with self.db.execute("SELECT DISTINCT street FROM members") as cur:
            streets = {row[0] async for row in cur}
        hits = [a for a in apps if a["street"] in streets]
        if hits:
            t = asyncio.create_task(self.send_digest(hits))
            self._bg.add(t)
            t.add_done_callback(self._bg.discard)

    async def send_digest(self, hits: list[dict]) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"] = "watch@ra.example", "members@ra.example"
        msg["Subject"] = f"Planning watch: {len(hits)} new application(s)"
        msg.set_content("\n".join(f"{a['ref']} {a['street']}: {a['proposal']}" for a in hits))
        major = next((a for a in hits if a.get("category") == "major"), None)
        if major:
            pdf = await site_plan_pdf(self.client, major["council"], major["ref"])
            msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{major['ref']}.pdf")
        await aiosmtplib.send(msg, hostname="smtp.ra.example", port=465, use_tls=True)

    async def run(self) -> None:
        while not self.stop.is_set():
            try:
                await self.cycle()
            except httpx.HTTPError as exc:
                log.warning("portal error, next try in an hour: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=3600)
        await asyncio.gather(*self._bg, return_exceptions=True)


async def main() -> None:
    async with aiosqlite.connect("planning_watch.db") as db, httpx.AsyncClient(timeout=30) as client:
        watch = Watch(db, client)
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, watch.stop.set)
        await watch.run()


if __name__ == "__main__":
    asyncio.run(main())
