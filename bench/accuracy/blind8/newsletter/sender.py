"""Send one campaign over SMTP with aiosmtplib."""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from . import lists

SMTP_HOST = os.environ.get("SMTP_HOST", "smtp.radio.example")
SMTP_USER = os.environ.get("SMTP_USER", "newsletter@radio.example")
SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
SEND_INTERVAL = 0.2  # the relay accepts 5 messages a second


@dataclass
class Campaign:
    id: int
    list_id: int
    subject: str
    html: str = ""


def build_message(campaign: Campaign, sub: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Radio Vallée <{SMTP_USER}>"
    msg["To"] = sub["email"]
    msg["Subject"] = campaign.subject
    msg["List-Unsubscribe"] = f"<https://lists.radio.example/unsub/{sub['uuid']}>"
    msg.set_content("This newsletter is best read in HTML.")
    msg.add_alternative(campaign.html.replace("{{ name }}", sub["name"] or "listener"), subtype="html")
    return msg


async def send_campaign(campaign: Campaign) -> int:
    subscribers = lists.subscribers_sync(campaign.list_id)  # bug: ADC103
    sent = 0
    for sub in subscribers:
        async with aiosmtplib.SMTP(hostname=SMTP_HOST, port=587, start_tls=True) as smtp:  # bug: ADC402
            await smtp.login(SMTP_USER, SMTP_PASSWORD)
            await smtp.send_message(build_message(campaign, sub))
        sent += 1
        await asyncio.sleep(SEND_INTERVAL)
    return sent
