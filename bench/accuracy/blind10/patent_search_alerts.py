"""Patent watch alerts for an IP law firm (arq worker): runs a client's watch
query against the patent office search service, matches new families to the
firm's matters and emails a PDF digest."""
import asyncio
import os
from email.message import EmailMessage

import aiosmtplib
import asyncpg
import httpx
from arq.connections import RedisSettings
from weasyprint import HTML

SEARCH_URL = "https://ops.patent-office.example/3.2/rest-services/published-data/search/biblio"
MATTERS_API = "https://matters.ipfirm.internal/api/v1/families"
PAGE = 100


async def search_all(http: httpx.AsyncClient, cql: str) -> list[dict]:
    hits, start = [], 1
    while True:
        resp = await http.get(SEARCH_URL, params={"q": cql}, headers={"X-OPS-Range": f"{start}-{start + PAGE - 1}"})
        resp.raise_for_status()
        body = resp.json()
        hits += body["results"]
        start += PAGE
        if start > body["total"]:
            return hits
        if resp.headers.get("X-Throttling-Control", "").startswith("busy"):
            await asyncio.sleep(2)


async def matter_for(http: httpx.AsyncClient, family_id: str) -> dict | None:
    resp = await http.get(f"{MATTERS_API}/{family_id}")
    return resp.json() if resp.status_code == 200 else None


def render_digest(watch: dict, hits: list[dict], matters: list[dict | None]) -> bytes:
    rows = "".join(
        f"<tr><td>{h['publication']}</td><td>{h['title']}</td><td>{h['applicant']}</td>"
        f"<td>{m['reference'] if m else ''}</td></tr>"
        for h, m in zip(hits, matters)
    )
    return HTML(string=f"<h1>{watch['name']}</h1><table>{rows}</table>").write_pdf()


async def run_watch(ctx, watch_id: int) -> int:
    http, pool = ctx["http"], ctx["pool"]
    watch = dict(await pool.fetchrow("SELECT id, name, queries, recipients FROM watches WHERE id = $1", watch_id))
    seen_task = asyncio.create_task(pool.fetch("SELECT family_id FROM seen_families WHERE watch_id = $1", watch_id))
    cql = " or ".join(f"({q})" for q in watch["queries"])
    hits = await search_all(http, f"({cql}) and pd>=now-7")
    seen = {r["family_id"] for r in await seen_task}
    new = [h for h in hits if h["family_id"] not in seen]
    if not new:
        return 0
    matters = [await matter_for(http, h["family_id"]) for h in new]  # bug: ADC501
    pdf_task = asyncio.ensure_future(asyncio.to_thread(render_digest, watch, new, matters))  # bug: ADC302
    pdf = await pdf_task
    msg = EmailMessage()
    msg["From"], msg["To"] = "watch@ipfirm.example", ", ".join(watch["recipients"])
    msg["Subject"] = f"Patent watch: {watch['name']} ({len(new)} new)"
    msg.set_content("Digest attached.")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="digest.pdf")
    await aiosmtplib.send(msg, hostname="smtp.ipfirm.internal", port=587, start_tls=True)
    await pool.executemany(
        "INSERT INTO seen_families (watch_id, family_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(watch_id, h["family_id"]) for h in new],
    )
    return len(new)


async def startup(ctx) -> None:
    ctx["pool"] = await asyncpg.create_pool(os.environ["WATCH_DSN"])
    ctx["http"] = httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {os.environ['OPS_TOKEN']}"})


async def shutdown(ctx) -> None:
    await ctx["http"].aclose()
    await ctx["pool"].close()


class WorkerSettings:
    functions = [run_watch]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://localhost"))
    max_jobs = 4
