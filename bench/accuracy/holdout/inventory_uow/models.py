from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class StockLevel(Base):
    __tablename__ = "stock_levels"
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    warehouse: Mapped[str] = mapped_column(String(8), primary_key=True)
    qty: Mapped[int] = mapped_column(Integer, default=0)
