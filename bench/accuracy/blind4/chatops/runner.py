"""Sync SSH runner (paramiko). Never called on the event loop directly."""
from __future__ import annotations

import threading

import paramiko

_clients: dict[str, paramiko.SSHClient] = {}
_clients_lock = threading.Lock()


def _client(host: str) -> paramiko.SSHClient:
    with _clients_lock:
        c = _clients.get(host)
        if c is None or not c.get_transport() or not c.get_transport().is_active():
            c = paramiko.SSHClient()
            c.load_system_host_keys()
            c.connect(host, username="ops", timeout=10)
            _clients[host] = c
        return c


def run(host: str, command: str) -> tuple[int, str]:
    _, stdout, stderr = _client(host).exec_command(command, timeout=60)
    rc = stdout.channel.recv_exit_status()
    return rc, (stdout.read() + stderr.read()).decode(errors="replace")


def close_all() -> None:
    with _clients_lock:
        for c in _clients.values():
            c.close()
        _clients.clear()
