"""Weekly digest and welcome mails for a newsletter platform."""
import asyncio
import logging
import smtplib
from email.message import EmailMessage

import httpx

log = logging.getLogger("mailer")

BATCH = 20


class Mailer:
    def __init__(self, host: str, user: str, password: str, sender: str, api_key: str) -> None:
        self.sender = sender
        self._smtp = smtplib.SMTP(host, 587, timeout=30)
        self._smtp.starttls()
        self._smtp.login(user, password)
        self.api = httpx.AsyncClient(base_url="https://api.sendgrid.com/v3",
                                     headers={"Authorization": f"Bearer {api_key}"}, timeout=15)

    def build(self, to: str, subject: str, body: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        return msg

    async def send_digest(self, user, articles) -> None:
        lines = [f"- {a.title}: {a.url}" for a in articles]
        msg = self.build(user.email, "Your weekly digest", "\n".join(lines))
        self._smtp.send_message(msg)  # bug: ADC101

    async def send_welcome(self, signup) -> None:
        resp = await self.api.post("/mail/send", json={
            "from": {"email": self.sender},
            "personalizations": [{"to": [{"email": signup.email}], "dynamic_template_data": {"name": signup.name}}],
            "template_id": "d-welcome-v3",
        })
        resp.raise_for_status()

    def close(self) -> None:
        self._smtp.quit()


async def run_digest(db, mailer: Mailer) -> None:
    users = await db.fetch_digest_users()
    articles = await db.top_articles(days=7)
    for i in range(0, len(users), BATCH):
        chunk = users[i : i + BATCH]
        await asyncio.gather(*(mailer.send_digest(u, articles[u.topic]) for u in chunk))
    log.info("digest sent to %d users", len(users))


async def welcome_pending(db, mailer: Mailer) -> None:
    signups = await db.pending_welcomes()
    await asyncio.gather(*(mailer.send_welcome(s) for s in signups))  # bug: ADC502
    await db.mark_welcomed([s.id for s in signups])


def main(db_factory, cfg) -> None:
    mailer = Mailer(cfg.smtp_host, cfg.smtp_user, cfg.smtp_password, cfg.sender, cfg.sendgrid_key)
    try:
        asyncio.run(_main(db_factory, mailer))
    finally:
        mailer.close()


async def _main(db_factory, mailer: Mailer) -> None:
    try:
        async with db_factory() as db:
            await welcome_pending(db, mailer)
            await run_digest(db, mailer)
    finally:
        await mailer.api.aclose()
