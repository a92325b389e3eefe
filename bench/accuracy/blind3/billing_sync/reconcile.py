from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .clients import InvoiceArchive, LedgerClient, StripeGateway
from .models import Account, Mismatch

log = logging.getLogger("billing_sync")


class Reconciler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ledger: LedgerClient,
        stripe_gw: StripeGateway,
        archive: InvoiceArchive,
    ) -> None:
        self._sessions = sessions
        self._ledger = ledger
        self._stripe = stripe_gw
        self._archive = archive

    async def run(self) -> int:
        async with self._sessions() as session:
            accounts = (await session.scalars(select(Account).where(Account.active))).all()

        ledger_balances: dict[str, Decimal] = {}
        for account in accounts:
            ledger_balances[account.id] = await self._ledger.balance(account.id)  # bug: ADC501

        mismatches = 0
        async with self._sessions() as session, session.begin():
            for account in accounts:
                if ledger_balances[account.id] != account.balance:
                    session.add(
                        Mismatch(
                            account_id=account.id,
                            ours=account.balance,
                            ledger=ledger_balances[account.id],
                        )
                    )
                    mismatches += 1
        log.info("reconciled %d accounts, %d mismatches", len(accounts), mismatches)
        return mismatches
