"""Town council allotments (FastAPI): the waiting list, offers of vacant
plots in strict list order, and a site map for the notice board."""
import asyncio
import io
import logging
import os
from contextlib import asynccontextmanager
from email.message import EmailMessage

import aiosmtplib
import asyncpg
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

log = logging.getLogger("allotments")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["ALLOTMENTS_DSN"], max_size=4)
    app.state.allocation_lock = asyncio.Lock()
    app.state.mail_tasks = set()
    yield
    await asyncio.gather(*app.state.mail_tasks, return_exceptions=True)
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def send_offers(offers: list[tuple[str, str, str]]) -> None:
    # one SMTP session for the round; messages go out one after another on it
    async with aiosmtplib.SMTP(hostname="smtp.towncouncil.example", port=587, start_tls=True) as smtp:
        await smtp.login("allotments", os.environ["SMTP_PASSWORD"])
        for email, name, plot in offers:
            msg = EmailMessage()
            msg["From"], msg["To"] = "allotments@towncouncil.example", email
            msg["Subject"] = f"Allotment offer: plot {plot}"
            msg.set_content(f"Dear {name},\n\nPlot {plot} is available. Please reply within 14 days.")
            await smtp.send_message(msg)


@app.post("/sites/{site}/allocate")
async def allocate(site: str, request: Request):
    state = request.app.state
    offers = []
    async with state.allocation_lock, state.pool.acquire() as conn, conn.transaction():
        vacant = await conn.fetch(
            "SELECT plot_no FROM plots WHERE site = $1 AND tenant_id IS NULL AND offer_id IS NULL ORDER BY plot_no FOR UPDATE",
            site,
        )
        # strict list order: each offer takes the next person who has not been offered yet
        for plot in vacant:
            person = await conn.fetchrow(
                "SELECT id, name, email FROM waiting_list WHERE site = $1 AND offered_at IS NULL "
                "ORDER BY joined_at LIMIT 1 FOR UPDATE SKIP LOCKED",
                site,
            )
            if person is None:
                break
            offer_id = await conn.fetchval(
                "INSERT INTO offers (person_id, site, plot_no) VALUES ($1, $2, $3) RETURNING id",
                person["id"], site, plot["plot_no"],
            )
            await conn.execute("UPDATE waiting_list SET offered_at = now() WHERE id = $1", person["id"])
            await conn.execute("UPDATE plots SET offer_id = $1 WHERE site = $2 AND plot_no = $3", offer_id, site, plot["plot_no"])
            offers.append((person["email"], person["name"], plot["plot_no"]))
    if offers:
        t = asyncio.create_task(send_offers(offers))
        state.mail_tasks.add(t)
        t.add_done_callback(state.mail_tasks.discard)
    return {"site": site, "offers": len(offers)}


@app.get("/waiting-list/{person_id}/position")
async def position(person_id: int, request: Request):
    pos = await request.app.state.pool.fetchval(
        "SELECT rank FROM (SELECT id, rank() OVER (PARTITION BY site ORDER BY joined_at) FROM waiting_list "
        "WHERE offered_at IS NULL) w WHERE id = $1",
        person_id,
    )
    if pos is None:
        raise HTTPException(404, "not on the waiting list")
    return {"position": pos}


def render_site_map(plots: list[dict]) -> bytes:
    fig = Figure(figsize=(8, 6))  # no pyplot: safe to render from worker threads
    ax = fig.subplots()
    for p in plots:
        ax.add_patch(Rectangle((p["x"], p["y"]), p["w"], p["h"], color="tab:green" if p["let"] else "tab:orange"))
        ax.text(p["x"] + p["w"] / 2, p["y"] + p["h"] / 2, p["plot_no"], ha="center", va="center", fontsize=7)
    ax.autoscale()
    ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    return buf.getvalue()


@app.get("/sites/{site}/map.png")
async def site_map(site: str, request: Request):
    rows = await request.app.state.pool.fetch(
        "SELECT plot_no, x, y, w, h, tenant_id IS NOT NULL AS let FROM plots WHERE site = $1", site
    )
    png = await asyncio.to_thread(render_site_map, [dict(r) for r in rows])
    return Response(png, media_type="image/png")
