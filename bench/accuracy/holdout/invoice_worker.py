"""Invoice jobs, ported from Celery tasks to a plain asyncio worker.

The Celery versions lived in billing/tasks.py; each `@app.task` became a
coroutine and the broker became an asyncio.Queue fed from the database.
"""
import asyncio
import logging
import os
import subprocess
from pathlib import Path

import asyncpg
import httpx

log = logging.getLogger("billing.worker")

DSN = os.environ["BILLING_DSN"]
MAILGUN = "https://api.mailgun.net"
MAILGUN_KEY = os.environ["MAILGUN_KEY"]
OUT_DIR = Path("/var/spool/invoices")


# was: @app.task def render_invoice(invoice_id)
def render_pdf(html: str, out: Path) -> None:
    subprocess.run(["wkhtmltopdf", "--quiet", "-", str(out)], input=html.encode(), check=True)


async def render_invoice(pool: asyncpg.Pool, invoice_id: int) -> Path:
    row = await pool.fetchrow("SELECT html FROM invoice_drafts WHERE invoice_id = $1", invoice_id)
    out = OUT_DIR / f"invoice-{invoice_id}.pdf"
    render_pdf(row["html"], out)  # bug: ADC101
    return out


# was: @app.task def send_invoice(invoice_id)
async def send_invoice(client: httpx.AsyncClient, pool: asyncpg.Pool, invoice_id: int) -> None:
    pdf = await render_invoice(pool, invoice_id)
    email = await pool.fetchval(
        "SELECT c.email FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1",
        invoice_id,
    )
    data = await asyncio.to_thread(pdf.read_bytes)
    r = await client.post(
        "/v3/mg.example.com/messages",
        data={"from": "billing@example.com", "to": email, "subject": f"Invoice {invoice_id}"},
        files={"attachment": (pdf.name, data, "application/pdf")},
    )
    r.raise_for_status()


# was: chain(send_invoice.s(id), mark_notified.s(id))
async def notify(client: httpx.AsyncClient, pool: asyncpg.Pool, invoice_id: int) -> None:
    task = asyncio.create_task(send_invoice(client, pool, invoice_id))  # bug: ADC302
    await task
    await pool.execute("UPDATE invoices SET notified_at = now() WHERE id = $1", invoice_id)


async def worker(name: str, queue: asyncio.Queue, client, pool) -> None:
    while True:
        invoice_id = await queue.get()
        try:
            await notify(client, pool, invoice_id)
        except Exception:
            log.exception("%s: invoice %s failed", name, invoice_id)
        finally:
            queue.task_done()


async def main(concurrency: int = 4) -> None:
    async with asyncpg.create_pool(DSN) as pool, httpx.AsyncClient(
        base_url=MAILGUN, auth=("api", MAILGUN_KEY), timeout=30
    ) as client:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for record in await pool.fetch("SELECT id FROM invoices WHERE notified_at IS NULL"):
            queue.put_nowait(record["id"])
        workers = [
            asyncio.create_task(worker(f"w{i}", queue, client, pool)) for i in range(concurrency)
        ]
        await queue.join()
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
