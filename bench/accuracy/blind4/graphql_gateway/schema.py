from contextlib import asynccontextmanager

from ariadne import load_schema_from_path, make_executable_schema
from ariadne.asgi import GraphQL
from starlette.applications import Starlette
from starlette.routing import Mount

from .resolvers import query, user_type
from .upstream import Upstream, crm_field_map


def make_app() -> Starlette:
    type_defs = load_schema_from_path("schema.graphql")
    crm_field_map()  # warm the cache before serving
    schema = make_executable_schema(type_defs, query, user_type)
    upstream = Upstream()

    @asynccontextmanager
    async def lifespan(_app):
        try:
            yield
        finally:
            await upstream.aclose()

    graphql = GraphQL(schema, context_value=lambda request, _data=None: {"request": request, "upstream": upstream})
    return Starlette(routes=[Mount("/graphql", graphql)], lifespan=lifespan)
