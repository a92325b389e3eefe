"""Blocking client for the inverter's local HTTP API."""
from __future__ import annotations

import threading
from typing import Any, Callable

import requests


class InverterError(Exception):
    """Raised when the inverter answers with an error."""


class InverterApi:
    def __init__(self, host: str, password: str, timeout: float = 10.0) -> None:
        self._base = f"http://{host}/api/v1"
        self._password = password
        self._timeout = timeout
        self._session = requests.Session()
        self._token: str | None = None
        self._push_thread: threading.Thread | None = None
        self._push_stop = threading.Event()

    def login(self) -> None:
        resp = self._session.post(
            f"{self._base}/login", json={"password": self._password}, timeout=self._timeout
        )
        if resp.status_code != 200:
            raise InverterError(f"login failed: HTTP {resp.status_code}")
        self._token = resp.json()["token"]

    def logout(self) -> None:
        if self._token:
            self._get("/logout")
            self._token = None

    def _get(self, path: str) -> dict[str, Any]:
        resp = self._session.get(
            self._base + path,
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=self._timeout,
        )
        if resp.status_code >= 400:
            raise InverterError(f"GET {path}: HTTP {resp.status_code}")
        return resp.json()

    def read_realtime(self) -> dict[str, Any]:
        return self._get("/realtime")

    def read_device_info(self) -> dict[str, Any]:
        info = self._get("/device")
        return {"serial": info["sn"], "model": info["model"], "firmware": info["fw"]}

    def write_register(self, register: int, value: int) -> None:
        resp = self._session.put(
            f"{self._base}/register/{register}",
            json={"value": value},
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=self._timeout,
        )
        if resp.status_code >= 400:
            raise InverterError(f"write {register:#x}: HTTP {resp.status_code}")

    def start_push_listener(self, callback: Callable[[dict], None]) -> None:
        def _run() -> None:
            while not self._push_stop.is_set():
                try:
                    callback(self._get("/realtime?wait=25"))
                except InverterError:
                    self._push_stop.wait(5)

        self._push_thread = threading.Thread(target=_run, name="sunways-push", daemon=True)
        self._push_thread.start()

    def stop_push_listener(self) -> None:
        self._push_stop.set()
