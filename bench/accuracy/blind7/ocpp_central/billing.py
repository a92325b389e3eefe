"""Charging-session billing.

`record_session` is shared with the nightly invoicing script, which is
plain synchronous code, so it uses psycopg2.
"""
import psycopg2

DSN = "dbname=billing user=ocpp host=db.internal"


def record_session(transaction_id: str, station_id: str, energy_wh: float, stopped_reason: str) -> None:
    with psycopg2.connect(DSN) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO charging_sessions(transaction_id, station_id, energy_wh, reason) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (transaction_id) DO NOTHING",
            (transaction_id, station_id, energy_wh, stopped_reason),
        )


async def tariff_for(pool, station_id: str) -> float:
    row = await pool.fetchrow("SELECT price_per_kwh FROM tariffs WHERE station_id = $1", station_id)
    return float(row["price_per_kwh"]) if row else 0.35
