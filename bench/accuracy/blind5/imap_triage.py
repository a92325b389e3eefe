"""Support inbox triage: pull unseen mail over IMAP, classify it, open tickets."""
import asyncio
import email
import imaplib
import logging
from email.message import Message

log = logging.getLogger("triage")


def _fetch_unseen(host, user, password, folder="INBOX"):
    conn = imaplib.IMAP4_SSL(host)
    try:
        conn.login(user, password)
        conn.select(folder)
        _, data = conn.uid("SEARCH", None, "UNSEEN")
        messages = []
        for uid in data[0].split():
            _, parts = conn.uid("FETCH", uid, "(RFC822)")
            messages.append((uid, email.message_from_bytes(parts[0][1])))
        return messages
    finally:
        conn.logout()


def _move(host, user, password, uids, target):
    conn = imaplib.IMAP4_SSL(host)
    try:
        conn.login(user, password)
        conn.select("INBOX")
        for uid in uids:
            conn.uid("MOVE", uid, target)
    finally:
        conn.logout()


class Triage:
    def __init__(self, cfg, tickets, classifier):
        self.cfg = cfg
        self.tickets = tickets
        self.classifier = classifier

    async def notify_oncall(self, subject):
        await self.tickets.page("support-oncall", f"urgent mail: {subject}")

    async def handle(self, msg: Message):
        label = await self.classifier.label(msg.get("Subject", ""), msg.get_payload(decode=True) or b"")
        ticket = await self.tickets.open(queue=label, subject=msg["Subject"], sender=msg["From"])
        if label == "outage":
            self.notify_oncall(msg["Subject"])  # bug: ADC201
        return ticket

    async def run_once(self):
        c = self.cfg
        messages = _fetch_unseen(c.host, c.user, c.password)  # bug: ADC101
        batch = messages[: c.batch]
        tickets = await asyncio.gather(*(self.handle(m) for _, m in batch))
        log.info("opened %d tickets", len(tickets))
        handled = [uid for uid, _ in batch]
        await asyncio.to_thread(_move, c.host, c.user, c.password, handled, "Triaged")

    async def run_forever(self):
        while True:
            await self.run_once()
            await asyncio.sleep(self.cfg.interval)
