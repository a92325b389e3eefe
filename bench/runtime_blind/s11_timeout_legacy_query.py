"""Report endpoint that guards a legacy synchronous query with asyncio.timeout."""
import asyncio
import time


class LegacyDB:
    def query(self, sql: str) -> list[tuple]:
        if "GROUP BY" in sql:
            time.sleep(0.13)  # EXPECT: blocking-call 130ms
        return [("north", 12), ("south", 7)]


class ReportEndpoint:
    def __init__(self, db: LegacyDB):
        self.db = db

    async def region_labels(self) -> dict[str, str]:
        await asyncio.sleep(0.005)  # a quick call to the geo service
        return {"north": "N", "south": "S"}

    async def get(self, sql: str) -> str:
        try:
            async with asyncio.timeout(0.05):
                rows = self.db.query(sql)
                labels = await self.region_labels()
                return ";".join(f"{labels[region]}={n}" for region, n in rows)
        except TimeoutError:
            return "504 report timed out"


async def main():
    endpoint = ReportEndpoint(LegacyDB())
    print(await endpoint.get("SELECT region, n FROM totals"))
    print(await endpoint.get("SELECT region, count(*) FROM orders GROUP BY region"))
    await asyncio.sleep(0.06)
    print(await endpoint.get("SELECT region, n FROM totals"))


if __name__ == "__main__":
    asyncio.run(main())
