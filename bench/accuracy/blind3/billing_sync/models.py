from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stripe_customer: Mapped[str] = mapped_column(String(64))
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    active: Mapped[bool]


class Mismatch(Base):
    __tablename__ = "balance_mismatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(32))
    ours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    ledger: Mapped[Decimal] = mapped_column(Numeric(12, 2))
