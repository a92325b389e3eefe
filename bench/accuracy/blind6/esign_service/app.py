"""FastAPI app and shared clients."""
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from motor.motor_asyncio import AsyncIOMotorClient

from . import routes


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=20)
    app.state.mongo = AsyncIOMotorClient("mongodb://mongo:27017")
    app.state.db = app.state.mongo["esign"]
    try:
        yield
    finally:
        await app.state.http.aclose()
        app.state.mongo.close()


app = FastAPI(lifespan=lifespan)
app.include_router(routes.router)
