from .uow import UnitOfWork


async def receive_shipment(uow: UnitOfWork, warehouse: str, lines: list[tuple[str, int]]) -> dict[str, int]:
    """All lines of a shipment land in one transaction on one session."""
    new_levels: dict[str, int] = {}
    async with uow:
        for sku, qty in lines:
            level = await uow.stock.level(sku, warehouse)
            level.qty += qty
            new_levels[sku] = level.qty
    return new_levels


async def stock_report(uow: UnitOfWork, warehouses: list[str]) -> dict[str, int]:
    totals: dict[str, int] = {}
    async with uow:
        for wh in warehouses:
            # one AsyncSession cannot run two queries at once
            for level in await uow.stock.all_for(wh):
                totals[level.sku] = totals.get(level.sku, 0) + level.qty
    return totals
