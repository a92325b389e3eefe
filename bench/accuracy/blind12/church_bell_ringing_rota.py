"""Sunday service ringing reminders for a diocesan guild of bell ringers.

Run from cron on Thursday evening. For each tower in the district it sends
one batch of reminder e-mails (Postmark's batch endpoint) to the band
listed on the rota and records who was reminded.
"""
import argparse
import asyncio
import csv
import datetime as dt
import logging
import os

import aiosqlite
import httpx

log = logging.getLogger("ringing-rota")

ROTA_DB = os.environ.get("ROTA_DB", "/srv/guild/rota.sqlite3")
POSTMARK = "https://api.postmarkapp.com"
POSTMARK_TOKEN = os.environ.get("POSTMARK_TOKEN", "")
SENDER = "ringing-master@guild.example"


def load_towers(path: str, district: str) -> list[dict]:
    with open(path, newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["district"] == district]


async def record_skip(db: aiosqlite.Connection, tower: str, ringer_id: int, reason: str) -> None:
    await db.execute(
        "INSERT INTO reminder_log (tower, ringer_id, sent, reason) VALUES (?, ?, 0, ?)",
        (tower, ringer_id, reason),
    )


async def record_sent(db: aiosqlite.Connection, tower: str, ringer_ids: list[int]) -> None:
    await db.executemany(
        "INSERT INTO reminder_log (tower, ringer_id, sent, reason) VALUES (?, ?, 1, NULL)",
        [(tower, rid) for rid in ringer_ids],
    )


def reminder(tower: dict, ringer: dict, sunday: dt.date) -> dict:
    return {
        "From": SENDER,
        "To": ringer["email"],
        "Subject": f"Ringing at {tower['dedication']}, {sunday:%A %d %B}",
        "TextBody": (
            f"Dear {ringer['first_name']},\n\nYou are on the rota to ring for the service at "
            f"{tower['service_time']} at {tower['dedication']}, {tower['place']}. "
            f"Please arrive by {tower['ring_from']}.\n\nTower captain: {tower['captain']}"
        ),
        "MessageStream": "rota",
    }


async def remind_tower(tower: dict, sunday: dt.date) -> int:
    async with aiosqlite.connect(ROTA_DB) as db, httpx.AsyncClient(base_url=POSTMARK) as client:
        db.row_factory = aiosqlite.Row
        cursor = await db.execute(
            "SELECT r.id, r.first_name, r.email, r.opted_out FROM rota o"
            " JOIN ringers r ON r.id = o.ringer_id WHERE o.tower = ? AND o.sunday = ?",
            (tower["code"], sunday.isoformat()),
        )
        band = await cursor.fetchall()
        messages, reminded = [], []
        for ringer in band:
            if ringer["opted_out"]:
                await record_skip(db, tower["code"], ringer["id"], "opted out")
                continue
            if not ringer["email"]:
                record_skip(db, tower["code"], ringer["id"], "no e-mail address")  # bug: ADC201
                continue
            messages.append(reminder(tower, dict(ringer), sunday))
            reminded.append(ringer["id"])
        if messages:
            resp = await client.post(
                "/email/batch", json=messages,
                headers={"X-Postmark-Server-Token": POSTMARK_TOKEN, "Accept": "application/json"},
            )
            resp.raise_for_status()
            await record_sent(db, tower["code"], reminded)
        await db.commit()
        return len(messages)


def next_sunday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(6 - today.weekday()) or 7)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("district")
    parser.add_argument("--towers", default="/srv/guild/towers.csv")
    args = parser.parse_args()
    sunday = next_sunday(dt.date.today())
    total = 0
    for tower in load_towers(args.towers, args.district):
        total += asyncio.run(remind_tower(tower, sunday))  # bug: ADC505
    log.info("%d reminders sent for %s", total, sunday)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
