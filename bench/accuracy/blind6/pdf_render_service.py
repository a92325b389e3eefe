"""Invoice PDF rendering service (FastAPI + WeasyPrint + Jinja2)."""
import asyncio
import base64
from concurrent.futures import ProcessPoolExecutor

import httpx
from fastapi import FastAPI, Request, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from weasyprint import HTML

app = FastAPI()
env = Environment(loader=PackageLoader("invoicing", "templates"), autoescape=select_autoescape())
INVOICE_T = env.get_template("invoice.html")
STATEMENT_T = env.get_template("statement.html")
CHARTS_URL = "http://charts.internal/render"
_pool = ProcessPoolExecutor(max_workers=2)


async def _fetch_charts(client: httpx.AsyncClient, specs: list[dict]) -> list[str]:
    resps = await asyncio.gather(*(client.post(CHARTS_URL, json=s) for s in specs[:4]))
    return [base64.b64encode(r.content).decode() for r in resps]


async def _fetch_charts_standalone(specs: list[dict]) -> list[str]:
    async with httpx.AsyncClient(timeout=15) as client:
        return await _fetch_charts(client, specs)


def chart_images_sync(specs: list[dict]) -> list[str]:
    """Used by the `invoicing render` CLI as well."""
    return asyncio.run(_fetch_charts_standalone(specs))


def render_pdf_bytes(html: str, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf()


@app.on_event("startup")
async def _open_client() -> None:
    app.state.http = httpx.AsyncClient(timeout=15)


@app.on_event("shutdown")
async def _close() -> None:
    await app.state.http.aclose()
    _pool.shutdown(wait=False)


@app.post("/invoices/render")
async def render_invoice(request: Request) -> Response:
    invoice = await request.json()
    charts = chart_images_sync(invoice.get("charts", []))  # bug: ADC103
    html = INVOICE_T.render(invoice=invoice, charts=charts)
    pdf = HTML(string=html, base_url=str(request.base_url)).write_pdf()  # bug: ADC101
    return Response(pdf, media_type="application/pdf")


@app.post("/statements/render")
async def render_statement(request: Request) -> Response:
    statement = await request.json()
    html = STATEMENT_T.render(statement=statement)
    loop = asyncio.get_running_loop()
    pdf = await loop.run_in_executor(_pool, render_pdf_bytes, html, str(request.base_url))
    return Response(pdf, media_type="application/pdf")


@app.post("/preview")
async def preview(request: Request) -> Response:
    invoice = await request.json()
    charts = await _fetch_charts(app.state.http, invoice.get("charts", []))
    html = INVOICE_T.render(invoice=invoice, charts=charts)
    return Response(html, media_type="text/html")


if __name__ == "__main__":
    import json
    import sys

    data = json.load(open(sys.argv[1]))
    images = chart_images_sync(data.get("charts", []))
    page = INVOICE_T.render(invoice=data, charts=images)
    sys.stdout.buffer.write(render_pdf_bytes(page, "."))
