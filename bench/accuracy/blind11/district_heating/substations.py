import asyncpg
from aiohttp import ClientSession

FIELDS = ("supply_c", "return_c", "flow_m3h", "power_kw", "valve_pct")


async def all_substations(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(
        "select id, controller_ip, building from substations where decommissioned_at is null"
    )


async def read_controller(http: ClientSession, sub: asyncpg.Record) -> dict:
    async with http.get(f"http://{sub['controller_ip']}/api/v1/values") as resp:
        resp.raise_for_status()
        values = await resp.json()
    return {"id": sub["id"], **{k: values[k] for k in FIELDS}}


async def store(pool: asyncpg.Pool, readings: list[dict]) -> None:
    await pool.executemany(
        "insert into substation_readings (substation_id, read_at, supply_c, return_c,"
        " flow_m3h, power_kw, valve_pct) values ($1, now(), $2, $3, $4, $5, $6)",
        [(r["id"], *(r[k] for k in FIELDS)) for r in readings],
    )


def delta_t(reading: dict) -> float:
    return reading["supply_c"] - reading["return_c"]
