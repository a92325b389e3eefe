"""Inventory fan-out: queries several warehouses and reports failures explicitly."""
import asyncio


class WarehouseError(Exception):
    pass


async def query_warehouse(name: str, sku: str) -> int:
    await asyncio.sleep(0.01 * len(name))
    if name == "berlin":
        raise WarehouseError(f"{name}: inventory service unavailable")
    return (len(name) * 7 + len(sku)) % 13


async def availability(sku: str, warehouses: list[str]) -> tuple[int, list[str]]:
    results = await asyncio.gather(*(query_warehouse(w, sku) for w in warehouses), return_exceptions=True)
    total, errors = 0, []
    for name, result in zip(warehouses, results):
        if isinstance(result, Exception):
            errors.append(str(result))
        else:
            total += result
    return total, errors


async def main():
    total, errors = await availability("SKU-77", ["lyon", "berlin", "porto", "oslo"])
    print("available:", total)
    for error in errors:
        print("error:", error)
    task = asyncio.create_task(query_warehouse("berlin", "SKU-1"))
    try:
        await task
    except WarehouseError as exc:
        print("retry later:", exc)


if __name__ == "__main__":
    asyncio.run(main())
