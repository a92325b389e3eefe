import contextlib
import os

import asyncpg
import httpx
from fastapi import FastAPI, Request
from strawberry.fastapi import GraphQLRouter

from .schema import make_context, schema


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    async with asyncpg.create_pool(os.environ["DATABASE_URL"]) as pool:
        async with httpx.AsyncClient(timeout=3) as http:
            app.state.pool = pool
            app.state.http = http
            yield


async def get_context(request: Request) -> dict:
    return make_context(request.app.state.pool, request.app.state.http)


app = FastAPI(lifespan=lifespan)
app.include_router(GraphQLRouter(schema, context_getter=get_context), prefix="/graphql")
