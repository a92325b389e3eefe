import logging
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal

import psycopg2
import psycopg2.extras

from settings import DATABASE_URL

log = logging.getLogger(__name__)


@dataclass
class Order:
    id: int
    customer_id: int
    total: Decimal
    status: str


def _query(sql, params=()):
    with closing(psycopg2.connect(DATABASE_URL)) as conn:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql, params)
            return cur.fetchall()


def _row_to_order(row):
    return Order(row["id"], row["customer_id"], Decimal(row["total"]), row["status"])


class OrderRepository:
    """Kept for the old admin screens; the new API uses AsyncOrderRepository."""

    def by_customer(self, customer_id):
        rows = _query("SELECT * FROM orders WHERE customer_id = %s", (customer_id,))
        return [_row_to_order(r) for r in rows]

    async def open_orders(self, limit=100):
        rows = _query(  # bug: ADC101
            "SELECT * FROM orders WHERE status = 'open' ORDER BY id LIMIT %s", (limit,)
        )
        return [_row_to_order(r) for r in rows]

    async def summary(self, orders):
        total = sum((o.total for o in orders), Decimal(0))
        log.debug("summarised %d orders", len(orders))
        return {"count": len(orders), "total": str(total)}
