"""Donor reminder e-mails through the transactional mail provider."""
import os

import httpx

MAIL_API = "https://api.mailprovider.example/v3/messages"
MAIL_KEY = os.environ.get("MAIL_KEY", "")


async def send_reminder(http: httpx.AsyncClient, donor: dict, drive: dict) -> str:
    resp = await http.post(
        MAIL_API,
        headers={"Authorization": f"Bearer {MAIL_KEY}"},
        json={
            "template": "drive-reminder",
            "to": donor["email"],
            "vars": {
                "first_name": donor["first_name"],
                "blood_group": donor["blood_group"],
                "venue": drive["venue"],
                "date": drive["day"].strftime("%A %d %B"),
                "book_url": f"https://give.example/drives/{drive['id']}",
            },
        },
    )
    resp.raise_for_status()
    return resp.json()["message_id"]
