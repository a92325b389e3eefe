"""`python -m mail_ingest.archive 2024-05` exports a month of ingested mail to an mbox file.

Sync on purpose: it runs from cron, never inside the SMTP server.
"""
import mailbox
import os
import sys

import psycopg
import requests


def export_month(month: str, path: str) -> int:
    box = mailbox.mbox(path)
    count = 0
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {os.environ['HELPDESK_TOKEN']}"
        rows = conn.execute(
            "SELECT ticket_id FROM ingested WHERE to_char(created_at, 'YYYY-MM') = %s ORDER BY created_at",
            (month,),
        ).fetchall()
        box.lock()
        try:
            for (ticket_id,) in rows:
                raw = http.get(f"{os.environ['HELPDESK_URL']}/tickets/{ticket_id}/raw", timeout=30)
                raw.raise_for_status()
                box.add(mailbox.mboxMessage(raw.content))
                count += 1
        finally:
            box.flush()
            box.unlock()
            box.close()
    return count


if __name__ == "__main__":
    month = sys.argv[1]
    print(export_month(month, f"helpdesk-{month}.mbox"))
