"""GraphQL API for the order desk (Ariadne).  N+1 is avoided with batched loaders."""
from collections import defaultdict

from aiodataloader import DataLoader
from ariadne import ObjectType, QueryType, make_executable_schema
from ariadne.asgi import GraphQL

type_defs = """
type Query { orders(status: String!, first: Int = 50, after: Int): [Order!]! }
type Order { id: Int! total: Int! customer: Customer! lines: [Line!]! }
type Customer { id: Int! name: String! }
type Line { sku: String! qty: Int! }
"""

query = QueryType()
order = ObjectType("Order")


class CustomerLoader(DataLoader):
    def __init__(self, pool):
        super().__init__()
        self.pool = pool

    async def batch_load_fn(self, ids):
        rows = await self.pool.fetch("SELECT id, name FROM customers WHERE id = ANY($1::int[])", list(ids))
        by_id = {r["id"]: dict(r) for r in rows}
        return [by_id.get(i) for i in ids]


class LinesLoader(DataLoader):
    def __init__(self, pool):
        super().__init__()
        self.pool = pool

    async def batch_load_fn(self, order_ids):
        rows = await self.pool.fetch(
            "SELECT order_id, sku, qty FROM order_lines WHERE order_id = ANY($1::int[]) ORDER BY order_id, pos",
            list(order_ids),
        )
        grouped = defaultdict(list)
        for r in rows:
            grouped[r["order_id"]].append({"sku": r["sku"], "qty": r["qty"]})
        return [grouped[i] for i in order_ids]


@query.field("orders")
async def resolve_orders(_, info, status, first=50, after=None):
    pool = info.context["pool"]
    rows = await pool.fetch(
        "SELECT id, total, customer_id FROM orders WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3",
        status,
        after or 0,
        min(first, 200),
    )
    return [dict(r) for r in rows]


@order.field("customer")
async def resolve_customer(obj, info):
    return await info.context["customers"].load(obj["customer_id"])


@order.field("lines")
async def resolve_lines(obj, info):
    return await info.context["lines"].load(obj["id"])


schema = make_executable_schema(type_defs, query, order)


def make_app(pool):
    async def context_value(request, _data=None):
        return {"pool": pool, "customers": CustomerLoader(pool), "lines": LinesLoader(pool)}

    return GraphQL(schema, context_value=context_value)
