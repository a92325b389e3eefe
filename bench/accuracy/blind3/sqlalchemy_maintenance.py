"""Maintenance commands: `python -m shop.maintenance <command>`."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from shop.models import Cart, Customer, Tenant

log = logging.getLogger("maintenance")


async def purge_abandoned_carts(sessions: async_sessionmaker[AsyncSession], days: int = 30) -> int:
    purged = 0
    async with sessions() as session:
        tenant_ids = (await session.scalars(select(Tenant.id).where(Tenant.active))).all()
    for tenant_id in tenant_ids:
        try:
            async with sessions() as session, session.begin():
                result = await session.execute(
                    delete(Cart).where(
                        Cart.tenant_id == tenant_id,
                        Cart.updated_at < func.now() - text(f"interval '{int(days)} days'"),
                    )
                )
                purged += result.rowcount
        except BaseException:  # bug: ADC601
            log.exception("purging carts of tenant %s failed, moving on", tenant_id)
    return purged


async def recompute_lifetime_value(dsn: str, customer_id: int) -> None:
    engine = create_async_engine(dsn)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as session, session.begin():
            total = await session.scalar(
                text("SELECT coalesce(sum(total), 0) FROM orders WHERE customer_id = :c"), {"c": customer_id}
            )
            await session.execute(update(Customer).where(Customer.id == customer_id).values(lifetime_value=total))
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("purge-carts").add_argument("--days", type=int, default=30)
    ltv = sub.add_parser("recompute-ltv")
    ltv.add_argument("customer_ids", nargs="+", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    if args.cmd == "purge-carts":

        async def _purge() -> int:
            engine = create_async_engine(args.dsn)
            try:
                return await purge_abandoned_carts(async_sessionmaker(engine), args.days)
            finally:
                await engine.dispose()

        log.info("purged %d carts", asyncio.run(_purge()))
    else:
        for customer_id in args.customer_ids:
            asyncio.run(recompute_lifetime_value(args.dsn, customer_id))  # bug: ADC505
            log.info("recomputed LTV for customer %s", customer_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
