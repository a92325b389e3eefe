"""Self-service WireGuard peers: issue short-lived client configs over HTTP."""
import asyncio
import ipaddress
import json
import subprocess
import time

import redis.asyncio as aioredis
from aiohttp import web

IFACE = "wg0"
POOL = ipaddress.ip_network("10.44.0.0/22")
TTL = 8 * 3600


class PeerStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def save(self, pubkey: str, record: dict) -> None:
        await self.redis.hset("wg:peers", pubkey, json.dumps(record))

    async def all(self) -> dict[str, dict]:
        raw = await self.redis.hgetall("wg:peers")
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def drop(self, pubkey: str) -> None:
        await self.redis.hdel("wg:peers", pubkey)


class PeerManager:
    def __init__(self, store: PeerStore) -> None:
        self.store = store

    async def wg(self, *args: str) -> str:
        proc = await asyncio.create_subprocess_exec("wg", *args, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        return out.decode()

    async def add(self, pubkey: str, owner: str) -> str:
        taken = {p["ip"] for p in (await self.store.all()).values()}
        ip = next(str(h) for h in POOL.hosts() if str(h) not in taken and not str(h).endswith(".1"))
        subprocess.run(["wg", "set", IFACE, "peer", pubkey, "allowed-ips", f"{ip}/32"], check=True)  # bug: ADC101
        self.store.save(pubkey, {"ip": ip, "owner": owner, "expires": time.time() + TTL})  # bug: ADC201
        return ip

    async def expire_peers(self) -> None:
        now = time.time()
        for pubkey, rec in (await self.store.all()).items():
            # `wg set` rewrites the interface config: one peer change at a time
            if rec["expires"] < now:
                await self.wg("set", IFACE, "peer", pubkey, "remove")
                await self.store.drop(pubkey)
        self.schedule()

    def schedule(self) -> None:
        asyncio.get_running_loop().call_later(60, self.expire_peers)  # bug: ADC202


async def create_peer(request: web.Request) -> web.Response:
    body = await request.json()
    ip = await request.app["peers"].add(body["public_key"], request.headers["X-Remote-User"])
    server_key = (await request.app["peers"].wg("show", IFACE, "public-key")).strip()
    return web.json_response({"address": f"{ip}/32", "server_public_key": server_key, "ttl": TTL}, status=201)


async def on_startup(app: web.Application) -> None:
    app["redis"] = aioredis.from_url("redis://127.0.0.1:6379/3")
    app["peers"] = PeerManager(PeerStore(app["redis"]))
    app["peers"].schedule()


async def on_cleanup(app: web.Application) -> None:
    await app["redis"].aclose()


app = web.Application()
app.router.add_post("/peers", create_peer)
app.on_startup.append(on_startup)
app.on_cleanup.append(on_cleanup)
