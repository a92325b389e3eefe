import contextlib
import os

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from .audit import AuditLog
from .keys import KeyRing
from . import routes

IDP_URL = os.environ.get("IDP_URL", "https://login.example.com/realms/staff")
SIEM_URL = os.environ.get("SIEM_URL", "https://siem.internal/ingest")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    async with httpx.AsyncClient(timeout=10) as http:
        app.state.http = http
        app.state.idp_url = IDP_URL
        app.state.admin_token = os.environ["GATEWAY_ADMIN_TOKEN"]
        app.state.audit = AuditLog(http, SIEM_URL)
        app.state.keys = KeyRing(os.environ["KEY_DIR"])
        await app.state.keys.load()
        yield


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/login", routes.login),
            Route("/callback", routes.callback),
            Route("/logout", routes.logout, methods=["POST"]),
            Route("/admin/rotate-keys", routes.rotate_keys, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
