"""Climate watch for galleries holding loaned works: excursion alerts and monthly lender reports."""
import asyncio
import json
import logging
import os
import statistics
import sys
from collections import defaultdict, deque
from datetime import datetime, timedelta
from email.message import EmailMessage

import aiomqtt
import aiosmtplib

log = logging.getLogger("loan-climate")

BROKER = "mqtt.museum.lan"
SMTP_HOST = "smtp.museum.lan"
SENDER = "registrar@museum.example"
LOANS = {
    "G4": {"lender": "Stedelijk Museum", "to": "loans@lender-a.example", "rh": (45, 55), "temp": (18, 22)},
    "G7": {"lender": "Private collection (via Bonhams)", "to": "registrar@lender-b.example",
           "rh": (40, 60), "temp": (16, 24)},
    "G9": {"lender": "National Trust", "to": "conservation@lender-c.example", "rh": (50, 60), "temp": (16, 21)},
}


def build_reports(samples: dict[str, list[dict]]) -> dict[str, str]:
    reports = {}
    for gallery, rows in samples.items():
        if not rows:
            continue
        rh = [r["rh"] for r in rows]
        temp = [r["temp"] for r in rows]
        lo, hi = LOANS[gallery]["rh"]
        outside = sum(1 for v in rh if not lo <= v <= hi)
        reports[gallery] = (
            f"Gallery {gallery}, {len(rows)} readings\n"
            f"RH mean {statistics.fmean(rh):.1f}% (min {min(rh):.1f}, max {max(rh):.1f}), "
            f"{outside} readings outside {lo}-{hi}%\n"
            f"Temperature mean {statistics.fmean(temp):.1f} C (min {min(temp):.1f}, max {max(temp):.1f})\n"
        )
    return reports


def _mail(gallery: str, body: str) -> EmailMessage:
    loan = LOANS[gallery]
    msg = EmailMessage()
    msg["From"], msg["To"] = SENDER, loan["to"]
    msg["Subject"] = f"Monthly environmental report - {loan['lender']} loan, gallery {gallery}"
    msg.set_content(body)
    return msg


class ClimateWatch:
    def __init__(self) -> None:
        self.samples: dict[str, deque] = defaultdict(lambda: deque(maxlen=31 * 24 * 12))
        self.report_ready = False
        self.reports: dict[str, str] = {}

    async def consume(self) -> None:
        async with aiomqtt.Client(BROKER, identifier="loan-climate") as client:
            await client.subscribe("galleries/+/climate")
            async for message in client.messages:
                gallery = message.topic.value.split("/")[1]
                if gallery not in LOANS:
                    continue
                reading = json.loads(message.payload)
                self.samples[gallery].append(reading)
                lo, hi = LOANS[gallery]["rh"]
                if not lo <= reading["rh"] <= hi:
                    alert = {"gallery": gallery, "rh": reading["rh"], "band": [lo, hi]}
                    await client.publish("alerts/conservation", json.dumps(alert), qos=1)

    async def monthly(self) -> None:
        while True:
            now = datetime.now()
            first = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=6, minute=0, second=0)
            await asyncio.sleep((first - now).total_seconds())
            snapshot = {g: list(rows) for g, rows in self.samples.items()}
            self.reports = await asyncio.to_thread(build_reports, snapshot)
            self.report_ready = True

    async def send_reports(self) -> None:
        while not self.report_ready:  # bug: ADC503
            await asyncio.sleep(2)
        self.report_ready = False
        smtp = aiosmtplib.SMTP(hostname=SMTP_HOST, port=587, start_tls=True)  # bug: ADC401
        await smtp.connect()
        await smtp.login(SENDER, os.environ["SMTP_PASSWORD"])
        for gallery, body in self.reports.items():
            await smtp.send_message(_mail(gallery, body))
        log.info("sent %d lender reports", len(self.reports))

    async def send_forever(self) -> None:
        while True:
            await self.send_reports()


async def send_test(address: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, address, "loan-climate test"
    msg.set_content("Test message from the loan climate watch.")
    async with aiosmtplib.SMTP(hostname=SMTP_HOST, port=587, start_tls=True) as smtp:
        await smtp.login(SENDER, os.environ["SMTP_PASSWORD"])
        await smtp.send_message(msg)


async def main() -> None:
    watch = ClimateWatch()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(watch.consume())
        tg.create_task(watch.monthly())
        tg.create_task(watch.send_forever())


if __name__ == "__main__":
    asyncio.run(send_test(sys.argv[2]) if sys.argv[1:2] == ["--test-mail"] else main())
