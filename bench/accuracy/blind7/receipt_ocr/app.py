"""Application object and shared clients."""
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=10)
    try:
        yield
    finally:
        await app.state.http.aclose()


app = FastAPI(title="receipt-ocr", lifespan=lifespan)

from . import routes  # noqa: E402  (registers the routes)

app.include_router(routes.router)
