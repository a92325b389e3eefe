"""A tiny aiohttp account service on 127.0.0.1, exercised by an aiohttp client in the same process."""
import asyncio
import hashlib
import hmac
from dataclasses import dataclass

import aiohttp
from aiohttp import web

ITERATIONS = 1_200_000


@dataclass
class User:
    name: str
    salt: bytes
    digest: bytes


USERS = {
    "ada": User("ada", b"blind2-demo-salt",
                bytes.fromhex("13520961a96d5c0b427a6d333371bf325ad9d6ccfb86753c00b9cfc290cba198")),
}
SESSIONS = {}


async def health(request):
    return web.json_response({"status": "ok", "users": len(USERS)})


async def login(request):
    body = await request.json()
    user = USERS.get(body.get("user", ""))
    if user is None:
        return web.json_response({"error": "unknown user"}, status=404)
    password = body.get("password", "").encode()
    digest = hashlib.pbkdf2_hmac("sha256", password, user.salt, iterations=ITERATIONS, dklen=32)  # EXPECT: blocking-call
    if not hmac.compare_digest(digest, user.digest):
        return web.json_response({"error": "bad credentials"}, status=401)
    token = hashlib.sha256(b"session:" + user.name.encode()).hexdigest()[:16]
    SESSIONS[token] = user.name
    return web.json_response({"token": token})


async def me(request):
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    name = SESSIONS.get(token)
    if name is None:
        raise web.HTTPUnauthorized()
    return web.json_response({"user": name})


def make_app():
    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_post("/login", login)
    app.router.add_get("/me", me)
    return app


async def client_session(base):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/health") as resp:
            print("health", resp.status, await resp.json())
        async with session.post(f"{base}/login", json={"user": "bob", "password": "x"}) as resp:
            print("login bob", resp.status, (await resp.json())["error"])
        async with session.post(f"{base}/login", json={"user": "ada", "password": "correct horse battery staple"}) as resp:
            token = (await resp.json())["token"]
            print("login ada", resp.status)
        async with session.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}) as resp:
            print("me", resp.status, await resp.json())


async def main():
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await client_session(f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
