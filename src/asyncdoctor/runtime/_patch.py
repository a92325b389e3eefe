"""Reversible monkey-patching: every change the doctor makes is undone by ``restore``.

An attribute is put back only while it still holds our replacement; if the
program (or another tool) replaced it after us, theirs is left alone.  What
is restored is the owner's *own* attribute: an attribute that was only
inherited (a method on a loop instance, say) is deleted again, not copied in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Patches"]

_MISSING = object()


def _own(owner: Any, name: str) -> Any:
    namespace = getattr(owner, "__dict__", None)
    if isinstance(namespace, Mapping):
        return namespace.get(name, _MISSING)
    return getattr(owner, name, _MISSING)


class Patches:
    """A stack of ``(owner, name, original, replacement)`` changes."""

    def __init__(self) -> None:
        self._done: list[tuple[Any, str, Any, Any]] = []

    def set(self, owner: Any, name: str, replacement: Any) -> Any:
        """Set ``owner.name = replacement``; return what ``owner.name`` was (or ``None``)."""
        effective = getattr(owner, name, None)
        original = _own(owner, name)
        setattr(owner, name, replacement)
        self._done.append((owner, name, original, replacement))
        return effective

    def restore(self) -> None:
        """Undo every change, newest first."""
        while self._done:
            owner, name, original, replacement = self._done.pop()
            try:
                if _own(owner, name) is not replacement:
                    continue
                if original is _MISSING:
                    delattr(owner, name)
                else:
                    setattr(owner, name, original)
            except Exception:  # best effort: the owner may be gone or read-only
                continue
