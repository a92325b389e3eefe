"""Tiny helpers with no better home."""

from __future__ import annotations

__all__ = ["removeprefix_module"]


def removeprefix_module(qualname: str, module: str) -> str:
    """``pkg.mod.Client.fetch`` -> ``Client.fetch`` (and ``<locals>`` parts dropped)."""
    if module and qualname.startswith(module + "."):
        qualname = qualname[len(module) + 1 :]
    return qualname.replace(".<locals>", "")
