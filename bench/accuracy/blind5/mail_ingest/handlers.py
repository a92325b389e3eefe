import asyncio
import email
import email.policy
import io
import logging

import clamd

log = logging.getLogger("mail-ingest")


def scan_attachments(host: str, parts: list[bytes]) -> bool:
    scanner = clamd.ClamdNetworkSocket(host=host, port=3310, timeout=30)
    for data in parts:
        result = scanner.instream(io.BytesIO(data))
        if result["stream"][0] == "FOUND":
            return False
    return True


class IngestHandler:
    def __init__(self, state) -> None:
        self.state = state
        self._pending: set[asyncio.Task] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not address.endswith("@support.example.com"):
            return "550 not relaying to that domain"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        contents = [part.get_content() for part in msg.iter_attachments()]
        attachments = [c for c in contents if isinstance(c, bytes)]
        if attachments and not await asyncio.to_thread(scan_attachments, self.state.scanner_host, attachments):
            return "554 message rejected: infected attachment"
        body = msg.get_body(preferencelist=("plain", "html"))
        ticket = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "subject": msg["Subject"] or "(no subject)",
                  "body": body.get_content() if body else ""}
        task = asyncio.create_task(self._open_ticket(ticket, msg["Message-ID"]))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return "250 Message accepted for delivery"

    async def _open_ticket(self, ticket: dict, message_id: str) -> None:
        async with self.state.db.acquire() as conn:
            if await conn.fetchval("SELECT 1 FROM ingested WHERE message_id = $1", message_id):
                return
            resp = await self.state.http.post(f"{self.state.helpdesk_url}/tickets", json=ticket)
            resp.raise_for_status()
            await conn.execute("INSERT INTO ingested (message_id, ticket_id) VALUES ($1, $2)",
                               message_id, resp.json()["id"])
        log.info("ticket %s from %s", resp.json()["id"], ticket["from"])

    async def drain(self) -> None:
        await asyncio.gather(*self._pending, return_exceptions=True)
