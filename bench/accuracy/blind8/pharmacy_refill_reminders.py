"""Refill reminders for a community pharmacy chain.

A long-running service: every 15 minutes it texts patients whose repeat
prescriptions are due (Vonage SMS) and, for patients who opted in, places an
automated voice call. Runs under systemd; SIGTERM stops it between rounds.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal

import asyncpg
import vonage

log = logging.getLogger("refills")
SENDER = "PHARMACY"
PACE = 0.05  # Vonage allows 30 SMS per second per account
DUE_SQL = """
SELECT r.id, p.first_name, p.phone, p.voice_opt_in, r.drug_name, s.name AS store
FROM refills r JOIN patients p ON p.id = r.patient_id JOIN stores s ON s.id = r.store_id
WHERE r.due_on <= current_date + 2 AND r.reminded_at IS NULL AND p.sms_opt_in
ORDER BY r.due_on LIMIT 500
"""


class ReminderService:
    def __init__(self, pool: asyncpg.Pool, client: vonage.Client) -> None:
        self.pool = pool
        self.sms = vonage.Sms(client)
        self.voice = vonage.Voice(client)

    async def send_due(self) -> int:
        rows = await self.pool.fetch(DUE_SQL)
        sent = 0
        for row in rows:
            text = (f"Hi {row['first_name']}, your {row['drug_name']} refill is ready to order at "
                    f"{row['store']}. Reply YES to order, STOP to opt out.")
            try:
                self.sms.send_message({"from": SENDER, "to": row["phone"], "text": text})  # bug: ADC101
                if row["voice_opt_in"]:
                    await asyncio.to_thread(self.voice.create_call, {
                        "to": [{"type": "phone", "number": row["phone"]}],
                        "from": {"type": "phone", "number": os.environ["VOICE_NUMBER"]},
                        "ncco": [{"action": "talk", "text": text}],
                    })
                await self.pool.execute("UPDATE refills SET reminded_at = now() WHERE id = $1", row["id"])
            except:  # bug: ADC601
                log.exception("reminder for refill %s failed", row["id"])
                continue
            sent += 1
            await asyncio.sleep(PACE)
        return sent


async def main(client: vonage.Client) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with asyncpg.create_pool(os.environ["PHARMACY_DSN"], max_size=4) as pool:
        service = ReminderService(pool, client)
        while not stop.is_set():
            sent = await service.send_due()
            log.info("sent %d reminders", sent)
            try:
                await asyncio.wait_for(stop.wait(), timeout=15 * 60)
            except TimeoutError:
                pass


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    vonage_client = vonage.Client(key=os.environ["VONAGE_KEY"], secret=os.environ["VONAGE_SECRET"],
                                  application_id=os.environ["VONAGE_APP_ID"],
                                  private_key=os.environ["VONAGE_PRIVATE_KEY_PATH"])
    asyncio.run(main(vonage_client))
