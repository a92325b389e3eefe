"""Convert a batch of expense lines to EUR in the background while the report header is prepared."""
import asyncio

from helper_fx import RateTable

EXPENSES = [
    ("taxi", 42.0, "USD"),
    ("hotel", 310.0, "GBP"),
    ("lunch", 1800.0, "JPY"),
    ("train", 95.5, "CHF"),
    ("visa", 60.0, "XTS"),
]


async def rates_feed():
    await asyncio.sleep(0.005)
    return {"USD": 1.08, "GBP": 0.86, "JPY": 161.2, "CHF": 0.95}


async def main():
    table = RateTable()
    await table.refresh(rates_feed)
    converted = {}
    running = set()

    async def convert_line(label, amount, currency):
        converted[label] = await table.convert(amount, currency)

    for label, amount, currency in EXPENSES:
        task = asyncio.create_task(convert_line(label, amount, currency))
        running.add(task)
        task.add_done_callback(running.discard)

    header = f"Expense report (rates v{table.version}, base {table.base})"
    await asyncio.sleep(0.05)  # the report header and the lines are ready by now
    print(header)
    for label, amount, currency in EXPENSES:
        value = converted.get(label)
        print(f"  {label:6} {amount:>8.2f} {currency} -> {value if value is not None else 'n/a'} EUR")
    total = sum(converted.values())
    print(f"  total {total} EUR over {len(converted)} of {len(EXPENSES)} lines")


if __name__ == "__main__":
    asyncio.run(main())
