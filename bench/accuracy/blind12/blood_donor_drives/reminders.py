"""Reminder campaign for one drive: every eligible donor within 10 miles.

Donors are eligible 12 weeks after a whole-blood donation. A drive in a
market town has a few hundred eligible donors; one in a city has tens of
thousands.
"""
import asyncio
import logging

import asyncpg
import httpx

from . import mailer

log = logging.getLogger("donors.reminders")


async def run_campaign(drive_id: int, pool: asyncpg.Pool, http: httpx.AsyncClient) -> int:
    conn = await pool.acquire()  # bug: ADC401
    drive = dict(await conn.fetchrow("SELECT id, venue, day, lat, lon FROM drives WHERE id = $1", drive_id))
    donors = [dict(r) for r in await conn.fetch(
        "SELECT id, first_name, email, blood_group FROM donors"
        " WHERE last_donation < current_date - 84 AND NOT opted_out"
        " AND earth_distance(ll_to_earth(lat, lon), ll_to_earth($1, $2)) < 16093",
        drive["lat"], drive["lon"],
    )]
    results = await asyncio.gather(  # bug: ADC502
        *(mailer.send_reminder(http, donor, drive) for donor in donors), return_exceptions=True
    )
    sent = [(drive_id, d["id"], r) for d, r in zip(donors, results) if isinstance(r, str)]
    await conn.executemany(
        "INSERT INTO reminders (drive_id, donor_id, message_id) VALUES ($1, $2, $3)", sent
    )
    log.info("drive %s: %d of %d reminders sent", drive_id, len(sent), len(donors))
    return len(sent)
