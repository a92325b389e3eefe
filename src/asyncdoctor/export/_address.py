"""``[HOST:]PORT`` for the servers the exporters start (imports nothing: ``run`` checks it early)."""

from __future__ import annotations

__all__ = ["DEFAULT_HOST", "parse_address"]

#: Where a server listens when no host is given: this machine only.
DEFAULT_HOST = "127.0.0.1"


def parse_address(text: str) -> tuple[str, int]:
    """``9464``, ``:9464``, ``127.0.0.1:9464``, ``[::1]:9464`` -> (host, port); 127.0.0.1 by default.

    An IPv6 host needs its brackets (``::1:9464`` would be ambiguous).
    """
    host, _, port_text = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        port_text = ""  # an IPv6 address without brackets
    host = host or DEFAULT_HOST
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"'{text}' is not an address: expected [HOST:]PORT, e.g. 127.0.0.1:9464") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"'{text}': port {port} is out of range")
    return host, port
