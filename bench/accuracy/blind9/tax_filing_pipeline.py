"""Consumes prepared tax returns from RabbitMQ, renders forms and e-files them."""
from __future__ import annotations

import asyncio
import json
import logging
import os

import aio_pika
import httpx
from weasyprint import HTML

log = logging.getLogger("efile")
EFILE_URL = os.environ.get("EFILE_URL", "https://efile-gateway.example/v1")
TEMPLATES = "/srv/efile/templates"


def render_form(form: dict) -> bytes:
    html = f"<html><body><h1>{form['code']}</h1><pre>{json.dumps(form['boxes'], indent=1)}</pre></body></html>"
    return HTML(string=html, base_url=TEMPLATES).write_pdf()


class Filer:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def taxpayer_profile(self, tin: str) -> dict:
        resp = await self.http.get(f"{EFILE_URL}/taxpayers/{tin}")
        resp.raise_for_status()
        return resp.json()

    async def prior_filings(self, tin: str, year: int) -> list[dict]:
        resp = await self.http.get(f"{EFILE_URL}/taxpayers/{tin}/filings", params={"year": year})
        resp.raise_for_status()
        return resp.json()["filings"]

    async def handle(self, ret: dict) -> str:
        profile_task = asyncio.create_task(self.taxpayer_profile(ret["tin"]))
        prior = await self.prior_filings(ret["tin"], ret["year"])
        profile = await profile_task
        if profile["status"] != "active":
            raise ValueError(f"taxpayer {ret['tin']} is {profile['status']}")

        pdfs = []
        for form in ret["forms"]:
            pdfs.append(await asyncio.to_thread(render_form, form))  # bug: ADC501

        submission = {"tin": ret["tin"], "year": ret["year"], "forms": [f["code"] for f in ret["forms"]]}
        if prior:
            submission["amends"] = prior[-1]["submission_id"]
        resp = await self.http.post(f"{EFILE_URL}/submissions", json=submission)
        resp.raise_for_status()
        sub_id = resp.json()["submission_id"]
        # attachments go to the submission just created, in form order (the gateway numbers them)
        for form, pdf in zip(ret["forms"], pdfs):
            await self.http.put(
                f"{EFILE_URL}/submissions/{sub_id}/attachments/{form['code']}",
                content=pdf, headers={"Content-Type": "application/pdf"},
            )
        ack_task = asyncio.create_task(self.http.post(f"{EFILE_URL}/submissions/{sub_id}/transmit"))  # bug: ADC302
        ack = await ack_task
        ack.raise_for_status()
        return sub_id


async def main() -> None:
    connection = await aio_pika.connect_robust(os.environ["AMQP_URL"])
    async with connection, httpx.AsyncClient(timeout=60) as http:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=4)
        queue = await channel.declare_queue("returns.ready", durable=True)
        filer = Filer(http)
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process(requeue=True):
                    ret = json.loads(message.body)
                    sub_id = await filer.handle(ret)
                    log.info("filed %s/%s as %s", ret["tin"], ret["year"], sub_id)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
