"""Thin wrapper around the payment provider's REST API (synchronous SDK style)."""

import logging
import os

import requests

log = logging.getLogger(__name__)

API_URL = os.environ.get("PAYMENTS_API", "https://api.payments.example.com/v2")
API_KEY = os.environ.get("PAYMENTS_KEY", "")


class GatewayError(Exception):
    pass


def _headers():
    return {"Authorization": f"Bearer {API_KEY}", "Idempotency-Version": "2"}


def charge_card(customer_id, amount_cents, currency="usd", idempotency_key=None):
    payload = {"customer": customer_id, "amount": amount_cents, "currency": currency}
    headers = _headers()
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    resp = requests.post(f"{API_URL}/charges", json=payload, headers=headers, timeout=20)
    if resp.status_code >= 400:
        raise GatewayError(resp.text)
    return resp.json()


def refund_report(day):
    """Used by the nightly accounting cron (plain sync script)."""
    resp = requests.get(f"{API_URL}/refunds", params={"day": day}, headers=_headers(), timeout=60)
    resp.raise_for_status()
    return resp.json()["data"]


def format_amount(amount_cents, currency="usd"):
    return f"{amount_cents / 100:.2f} {currency.upper()}"
