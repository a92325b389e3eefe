from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Treaty(Base):
    __tablename__ = "treaties"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    reinsurer: Mapped[str] = mapped_column(String(120))
    portal_id: Mapped[str] = mapped_column(String(40))
    cession_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class Delivery(Base):
    __tablename__ = "bordereau_deliveries"
    treaty_id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    portal_ref: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


PREMIUM_SQL = text(
    """
    select p.policy_no, p.insured, p.inception, p.expiry, p.sum_insured,
           p.gross_premium, p.gross_premium * t.cession_pct / 100 as ceded_premium
      from policies p join treaties t on t.id = p.treaty_id
     where p.treaty_id = :treaty and to_char(p.booked_at, 'YYYY-MM') = :period
     order by p.policy_no
    """
)


async def treaty(session: AsyncSession, treaty_id: int) -> Treaty:
    return (await session.execute(select(Treaty).where(Treaty.id == treaty_id))).scalar_one()


async def premium_rows(session: AsyncSession, treaty_id: int, period: str) -> list[dict]:
    result = await session.stream(PREMIUM_SQL, {"treaty": treaty_id, "period": period})
    return [dict(row._mapping) async for row in result]


async def mark_delivered(session: AsyncSession, treaty_id: int, period: str, ref: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.treaty_id == treaty_id, Delivery.period == period)
        .values(status="delivered", portal_ref=ref, delivered_at=datetime.now(timezone.utc))
    )


async def mark_failed(session: AsyncSession, treaty_id: int, period: str, reason: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.treaty_id == treaty_id, Delivery.period == period)
        .values(status="failed", last_error=reason[:500])
    )
