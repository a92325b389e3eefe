import datetime as dt

import httpx


class AuditLog:
    def __init__(self, http: httpx.AsyncClient, siem_url: str) -> None:
        self.http = http
        self.siem_url = siem_url

    async def _emit(self, kind: str, **fields) -> None:
        event = {"kind": kind, "at": dt.datetime.now(dt.timezone.utc).isoformat(), **fields}
        resp = await self.http.post(self.siem_url, json=event)
        resp.raise_for_status()

    async def log_login(self, subject: str, ip: str) -> None:
        await self._emit("login", subject=subject, ip=ip)

    async def log_logout(self, subject: str) -> None:
        await self._emit("logout", subject=subject)
