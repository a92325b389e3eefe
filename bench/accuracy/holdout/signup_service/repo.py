from collections.abc import Iterable

from sqlalchemy import select

from .db import AsyncSession
from .models import Account


class AccountRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_email(self, email: str) -> Account | None:
        res = await self.session.execute(select(Account).where(Account.email == email))
        return res.scalar_one_or_none()

    async def add(self, account: Account) -> Account:
        self.session.add(account)
        await self.session.flush()
        return account

    async def deactivate_many(self, ids: Iterable[int]) -> int:
        # one session, one transaction: these run one after another by design
        changed = 0
        for account_id in ids:
            acc = await self.session.get(Account, account_id)
            if acc is not None and acc.active:
                acc.active = False
                changed += 1
        await self.session.commit()
        return changed
