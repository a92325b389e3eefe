from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.models import Account, Entry, Snapshot

log = logging.getLogger("ledger.replay")

PAGE = 1000


class LedgerReplayer:
    """Rebuilds account balances by replaying entries in order."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _entries_after(self, last_id: int) -> list[Entry]:
        result = await self.session.scalars(
            select(Entry).where(Entry.id > last_id).order_by(Entry.id).limit(PAGE)
        )
        return list(result)

    async def replay(self, from_id: int = 0) -> dict[int, Decimal]:
        balances: dict[int, Decimal] = {}
        last_id = from_id
        while True:
            page = await self._entries_after(last_id)
            if not page:
                break
            for entry in page:
                balances[entry.account_id] = balances.get(entry.account_id, Decimal(0)) + entry.amount
            last_id = page[-1].id
        log.info("replayed up to entry %d", last_id)
        return balances

    async def apply(self, balances: dict[int, Decimal]) -> int:
        changed = 0
        async with self.session.begin():
            for account_id, balance in sorted(balances.items()):
                result = await self.session.execute(
                    update(Account)
                    .where(Account.id == account_id, Account.balance != balance)
                    .values(balance=balance)
                )
                changed += result.rowcount
        return changed

    async def snapshot_accounts(self, account_ids: list[int]) -> list[Snapshot]:
        snapshots = []
        for account_id in account_ids:
            account = await self.session.get(Account, account_id)
            if account is None:
                continue
            snapshots.append(Snapshot(account_id=account_id, balance=account.balance))
        self.session.add_all(snapshots)
        await self.session.flush()
        return snapshots

    async def owners(self, account_ids: list[int]) -> dict[int, str]:
        owners = {}
        for account_id in account_ids:
            owners[account_id] = await self.session.scalar(
                select(Account.owner_name).where(Account.id == account_id)
            )
        return owners
