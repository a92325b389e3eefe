from decimal import ROUND_HALF_UP, Decimal

import asyncpg

STANDING_CHARGE_DAY = Decimal("0.62")
UNIT_PRICE_KWH = Decimal("0.0914")


async def store_reads(pool: asyncpg.Pool, reads: list[dict]) -> int:
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.executemany(
                "insert into meter_reads (meter_no, read_on, kwh) values ($1, $2, $3)"
                " on conflict (meter_no, read_on) do nothing",
                [(r["meter"], r["date"], r["kwh"]) for r in reads],
            )
    return len(reads)


def _charge(kwh: Decimal, days: int) -> Decimal:
    total = kwh * UNIT_PRICE_KWH + STANDING_CHARGE_DAY * days
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def estimate(pool: asyncpg.Pool, account: str) -> dict:
    row = await pool.fetchrow(
        "select max(kwh) - min(kwh) as used, max(read_on) - min(read_on) as days"
        " from meter_reads r join accounts a on a.meter_no = r.meter_no"
        " where a.account = $1 and r.read_on > current_date - 30",
        account,
    )
    if row is None or row["used"] is None:
        return {"account": account, "estimate": None}
    return {"account": account, "estimate": str(_charge(Decimal(row["used"]), row["days"]))}
