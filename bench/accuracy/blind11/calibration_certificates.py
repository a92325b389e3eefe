"""Calibration certificates for the pressure and temperature lab (Sanic, ISO/IEC 17025 records)."""
import asyncio
import io
import math
import os

import asyncpg
import httpx
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sanic import Sanic
from sanic.exceptions import NotFound
from sanic.response import json, raw

app = Sanic("calcert")
PORTAL = "https://customers.cal-lab.example/api"
SIGNER = "https://hsm-signer.cal-lab.internal/v1"


def expanded_uncertainty(readings: list[float], resolution: float, ref_u: float, k: float = 2.0) -> float:
    n = len(readings)
    mean = sum(readings) / n
    type_a = math.sqrt(sum((r - mean) ** 2 for r in readings) / (n - 1) / n) if n > 1 else 0.0
    type_b = math.sqrt((resolution / math.sqrt(12)) ** 2 + (ref_u / 2) ** 2)
    return k * math.sqrt(type_a ** 2 + type_b ** 2)


def render_certificate(cert: dict, points: list[dict]) -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(20 * mm, 275 * mm, f"Calibration certificate {cert['number']}")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(20 * mm, 265 * mm, f"{cert['instrument']} s/n {cert['serial']} for {cert['customer']}")
    y = 250 * mm
    for p in points:
        pdf.drawString(20 * mm, y, f"{p['nominal']:>10} {p['reading']:>12.4f} {p['error']:>+10.4f}  U={p['u']:.4f}")
        y -= 6 * mm
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


@app.before_server_start
async def setup(app, _):
    app.ctx.pool = await asyncpg.create_pool(os.environ["CAL_DSN"], max_size=10)
    app.ctx.http = httpx.AsyncClient(timeout=20)
    app.ctx.signing = asyncio.Semaphore(2)


@app.after_server_stop
async def teardown(app, _):
    await app.ctx.http.aclose()
    await app.ctx.pool.close()


async def sign(app: Sanic, pdf: bytes) -> bytes:
    async with app.ctx.signing:
        resp = await app.ctx.http.post(f"{SIGNER}/pades", content=pdf, headers={"Content-Type": "application/pdf"})
        resp.raise_for_status()
        return resp.content


@app.get("/certificates/<number>")
async def certificate(request, number: str):
    pool = request.app.ctx.pool
    cert = await pool.fetchrow("select * from certificates where number = $1", number)
    if cert is None:
        raise NotFound(number)
    rows = await pool.fetch("select * from cal_points where certificate = $1 order by nominal", number)
    points = [{
        "nominal": r["nominal"], "reading": sum(r["readings"]) / len(r["readings"]),
        "error": sum(r["readings"]) / len(r["readings"]) - r["nominal"],
        "u": expanded_uncertainty(r["readings"], r["resolution"], r["ref_uncertainty"]),
    } for r in rows]
    loop = asyncio.get_running_loop()
    pdf = await loop.run_in_executor(None, render_certificate, dict(cert), points)
    signed = await sign(request.app, pdf)
    return raw(signed, content_type="application/pdf")


@app.post("/customers/<customer_id:int>/sync-instruments")
async def sync_instruments(request, customer_id: int):
    http, pool = request.app.ctx.http, request.app.ctx.pool
    instruments, cursor = [], None
    while True:
        resp = await http.get(f"{PORTAL}/customers/{customer_id}/instruments", params={"cursor": cursor} if cursor else {})
        resp.raise_for_status()
        page = resp.json()
        instruments += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    await pool.executemany(
        "insert into instruments (customer_id, serial, model, due) values ($1, $2, $3, $4)"
        " on conflict (customer_id, serial) do update set model = excluded.model, due = excluded.due",
        [(customer_id, i["serial"], i["model"], i["calibration_due"]) for i in instruments],
    )
    return json({"customer": customer_id, "instruments": len(instruments)})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8060, single_process=True)
