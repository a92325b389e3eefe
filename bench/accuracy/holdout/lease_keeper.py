"""Hold a leader lease in etcd-like KV over HTTP and run the leader's work while we hold it."""
import asyncio
import contextlib
import logging
import socket

import httpx

log = logging.getLogger("lease")

KV = "http://kv.internal:2379/v3"
TTL = 10


class LeaseKeeper:
    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        self.client = client
        self.name = name
        self.me = socket.gethostname()
        self.lease_id: str | None = None
        self._renewer: asyncio.Task | None = None
        self.lost = asyncio.Event()

    async def acquire(self) -> None:
        r = await self.client.post(f"{KV}/lease/grant", json={"TTL": TTL})
        self.lease_id = r.json()["ID"]
        await self.client.post(f"{KV}/kv/put", json={"key": self.name, "value": self.me, "lease": self.lease_id})
        self._renewer = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        try:
            while True:
                await asyncio.sleep(TTL / 3)
                r = await self.client.post(f"{KV}/lease/keepalive", json={"ID": self.lease_id})
                if r.status_code != 200:
                    self.lost.set()
                    return
        except asyncio.CancelledError:
            log.info("renewer stopping, revoking lease %s", self.lease_id)
            with contextlib.suppress(httpx.HTTPError):
                await asyncio.shield(self.client.post(f"{KV}/lease/revoke", json={"ID": self.lease_id}))
            raise

    async def release(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            try:
                await self._renewer
            except asyncio.CancelledError:
                pass


async def leader_work(client: httpx.AsyncClient) -> None:
    while True:
        try:
            r = await client.post("http://scheduler.internal/tick")
            r.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("tick failed: %s", exc)
        except BaseException:
            log.info("leader work interrupted")
            raise
        await asyncio.sleep(5)


async def main() -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        keeper = LeaseKeeper(client, "/leaders/scheduler")
        await keeper.acquire()
        work = asyncio.create_task(leader_work(client))
        lost = asyncio.create_task(keeper.lost.wait())
        try:
            await asyncio.wait({work, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (work, lost):
                t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
            with contextlib.suppress(asyncio.CancelledError):
                await lost
            await keeper.release()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
