"""OIDC helpers for the API gateway: verify incoming JWTs, fetch client-credential tokens."""
import asyncio
import time

import httpx
import jwt
from jwt import PyJWKClient

ISSUER = "https://login.example.com/realms/prod"
JWKS_URL = f"{ISSUER}/protocol/openid-connect/certs"
TOKEN_URL = f"{ISSUER}/protocol/openid-connect/token"


class TokenVerifier:
    def __init__(self, audience):
        self.audience = audience
        self.jwks = PyJWKClient(JWKS_URL, cache_keys=True, lifespan=3600)

    def _signing_key(self, token):
        return self.jwks.get_signing_key_from_jwt(token).key

    async def verify(self, token):
        key = await asyncio.to_thread(self._signing_key, token)
        return jwt.decode(token, key, algorithms=["RS256"], audience=self.audience, issuer=ISSUER)

    async def verify_admin(self, token):
        key = self.jwks.get_signing_key_from_jwt(token).key  # bug: ADC101
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=self.audience, issuer=ISSUER)
        if "admin" not in claims.get("realm_access", {}).get("roles", []):
            raise PermissionError("admin role required")
        return claims


class ClientCredentials:
    """Service-to-service tokens, shared by every outgoing request of the gateway."""

    def __init__(self, http: httpx.AsyncClient, client_id, client_secret):
        self.http = http
        self.client_id = client_id
        self.client_secret = client_secret
        self._token = None
        self._expires = 0.0

    async def _fetch(self):
        resp = await self.http.post(TOKEN_URL, data={
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        })
        resp.raise_for_status()
        body = resp.json()
        self._token = body["access_token"]
        self._expires = time.monotonic() + body["expires_in"] - 30

    async def get_token(self):
        lock = asyncio.Lock()  # bug: ADC504
        async with lock:
            if self._token is None or time.monotonic() >= self._expires:
                await self._fetch()
        return self._token

    async def auth_headers(self):
        return {"Authorization": f"Bearer {await self.get_token()}"}
