"""Policy-holder e-mails through Postmark's HTTP API."""
from __future__ import annotations

import logging
import os
import uuid

import httpx

log = logging.getLogger("claims.notify")

POSTMARK_TOKEN = os.environ.get("POSTMARK_TOKEN", "")
SENDER = "claims@northway-motor.example"


async def _send(http: httpx.AsyncClient, to: str, template: str, model: dict) -> None:
    resp = await http.post(
        "https://api.postmarkapp.com/email/withTemplate",
        headers={"X-Postmark-Server-Token": POSTMARK_TOKEN},
        json={"From": SENDER, "To": to, "TemplateAlias": template, "TemplateModel": model},
    )
    if resp.status_code >= 400:
        log.warning("postmark refused %s for %s: %s", template, to, resp.text)


async def send_acknowledgement(http: httpx.AsyncClient, to: str, claim_id: uuid.UUID) -> None:
    await _send(http, to, "claim-received", {"claim_id": str(claim_id)})


async def send_document_receipt(http: httpx.AsyncClient, to: str, claim_id: uuid.UUID, kind: str) -> None:
    await _send(http, to, "document-received", {"claim_id": str(claim_id), "kind": kind})
