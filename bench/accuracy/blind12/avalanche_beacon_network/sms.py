"""Text messages through the canton's SMS gateway (plain HTTPS, requests)."""
import os

import requests

GATEWAY = "https://sms.canton.example/api/send"
TOKEN = os.environ.get("SMS_TOKEN", "")


def send_sms(numbers: list[str], text: str) -> str:
    resp = requests.post(
        GATEWAY,
        json={"recipients": numbers, "text": text[:640], "sender": "SLF-WARN"},
        headers={"Authorization": f"Token {TOKEN}"},
        timeout=20,
    )
    resp.raise_for_status()
    return resp.json()["batch_id"]
