"""Symbolic references and what the checker knows about library objects.

The per-file stage cannot know what an imported name is, so it writes down
*references*: dotted strings built from the source, with imports already
resolved.  ``requests.get`` is the function ``get`` of module ``requests``;
``requests.Session().get`` is the method ``get`` of an instance of
``requests.Session``; ``pkg.mod.Client().session.close`` is ``close`` on the
``session`` attribute of an instance of the project class ``pkg.mod.Client``.
A segment ending in ``()`` is a call, ``[]`` a subscript.

This module splits references and evaluates the parts of them that only
involve libraries (the knowledge tables); the project index evaluates the
rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import _knowledge as kb

__all__ = [
    "LibMethod",
    "LibName",
    "LibObject",
    "LibValue",
    "blocking_info",
    "canonical",
    "eval_lib",
    "is_coroutine_lib",
    "lib_mro",
    "lib_qualname",
    "split_ref",
    "tuple_element_refs",
]

ENTER = "__enter__()"


@dataclass(frozen=True, slots=True)
class LibName:
    """A library module, function or class named by its dotted path."""

    name: str


@dataclass(frozen=True, slots=True)
class LibObject:
    """An instance of a library type."""

    type: str


@dataclass(frozen=True, slots=True)
class LibMethod:
    """A method (or attribute) ``attr`` looked up on an instance of ``type``."""

    type: str
    attr: str


LibValue = LibName | LibObject | LibMethod


@lru_cache(maxsize=65536)
def split_ref(ref: str) -> tuple[str, ...]:
    """Split a reference into segments (dots inside ``[]`` never occur)."""
    return tuple(ref.split("."))


def canonical(name: str) -> str:
    """Map another import path of a library object onto its canonical name."""
    alias = kb.TYPE_ALIASES.get(name)
    if alias is not None:
        return alias
    # An alias may name a module or class prefix: aiohttp.client.ClientSession.get
    head = name.rpartition(".")[0]
    while head:
        alias = kb.TYPE_ALIASES.get(head)
        if alias is not None:
            return f"{alias}.{name[len(head) + 1:]}"
        head, _, _ = head.rpartition(".")
    return name


_KNOWN_TYPES: frozenset[str] = frozenset(
    set(kb.RETURN_TYPES.values())
    | set(kb.TYPE_BASES)
    | {key.rpartition(".")[0] for key in kb.BLOCKING_CALLS if key.endswith(".*")}
    | {key.rpartition(".")[0] for key in kb.ATTRIBUTE_TYPES}
)


#: Calls that return a tuple of objects of known types (for ``a, b = f()``).
TUPLE_RETURN_TYPES: dict[str, tuple[str | None, ...]] = {
    "asyncio.open_connection": ("asyncio.StreamReader", "asyncio.StreamWriter"),
    "asyncio.open_unix_connection": ("asyncio.StreamReader", "asyncio.StreamWriter"),
    "socket.socket.accept": ("socket.socket", None),
    "socket.socketpair": ("socket.socket", "socket.socket"),
    "os.pipe": (None, None),
}


def tuple_element_refs(ref: str, size: int) -> tuple[str | None, ...]:
    """For ``a, b = <call ref>``: each element's reference, when the call's tuple is known."""
    value = eval_lib(ref[:-2]) if ref.endswith("()") else None
    name = lib_qualname(value) if value is not None else None
    types = TUPLE_RETURN_TYPES.get(name or "")
    if types is None or len(types) != size:
        return (None,) * size
    return tuple(t + "()" if t else None for t in types)


def lib_mro(type_name: str) -> tuple[str, ...]:
    """The type and its known library bases, nearest first."""
    out = [type_name]
    i = 0
    while i < len(out) and i < 16:
        for base in kb.TYPE_BASES.get(out[i], ()):
            if base not in out:
                out.append(base)
        i += 1
    return tuple(out)


def _lookup(table: dict[str, str], type_name: str, attr: str) -> str | None:
    for t in lib_mro(type_name):
        hit = table.get(f"{t}.{attr}")
        if hit is None:
            hit = table.get(f"{t}.*")
        if hit is not None:
            return hit
    return None


# Types whose instances are only made by library calls that hand them out
# already running: a ``concurrent.futures.Future()`` built by hand is
# completed by the code that built it, which waits for it before reading it.
_NOT_CONSTRUCTED = frozenset({"concurrent.futures.Future"})


def _call(value: LibValue) -> LibValue | None:
    if isinstance(value, LibName):
        ret = kb.RETURN_TYPES.get(value.name)
        if ret is not None and value.name not in _NOT_CONSTRUCTED:
            return LibObject(ret)
        if value.name in _KNOWN_TYPES and value.name not in _NOT_CONSTRUCTED:
            return LibObject(value.name)
        return None
    if isinstance(value, LibObject):
        ret = _lookup(kb.RETURN_TYPES, value.type, "__call__")
        return LibObject(ret) if ret is not None else None
    if isinstance(value, LibMethod):
        ret = _lookup(kb.RETURN_TYPES, value.type, value.attr)
        return LibObject(ret) if ret is not None else None
    return None


def _attr(value: LibValue, attr: str) -> LibValue | None:
    if isinstance(value, LibName):
        return LibName(canonical(f"{value.name}.{attr}"))
    if isinstance(value, LibObject):
        return LibMethod(value.type, attr)
    # Attribute of a method object: unknown.
    return None


def step_lib(value: LibValue, segment: str) -> LibValue | None:
    """Apply one reference segment to a library value."""
    if segment == ENTER:
        if isinstance(value, LibObject):
            entered = kb.ENTER_TYPES.get(value.type)
            return LibObject(entered) if entered is not None else value
        return None
    if segment.startswith("[]"):  # an item, under a constant key or not
        if isinstance(value, LibObject):
            hit = _lookup(kb.ATTRIBUTE_TYPES, value.type, "*")
            return LibObject(hit) if hit is not None else None
        return None
    calls = 0
    while segment.endswith("()"):
        segment = segment[:-2]
        calls += 1
    current: LibValue | None = value
    if segment:
        current = _attr(value, segment)
        if calls == 0 and isinstance(current, LibMethod):
            # Plain attribute access on an instance: a known attribute type,
            # or stay a method reference (it may be called later).
            hit = _lookup(kb.ATTRIBUTE_TYPES, current.type, current.attr)
            if hit is not None:
                return LibObject(hit)
    for _ in range(calls):
        if current is None:
            return None
        current = _call(current)
    return current


@lru_cache(maxsize=65536)
def eval_lib(ref: str) -> LibValue | None:
    """Evaluate a reference made only of library names (no project names)."""
    segments = split_ref(ref)
    first = segments[0]
    if not first or first.endswith("()") or first.startswith("[]"):
        calls = 0
        while first.endswith("()"):
            first = first[:-2]
            calls += 1
        if not first:
            return None
        value: LibValue | None = LibName(canonical(first))
        for _ in range(calls):
            value = _call(value) if value is not None else None
    else:
        value = LibName(canonical(first))
    for seg in segments[1:]:
        if value is None:
            return None
        value = step_lib(value, seg)
    return value


def lib_qualname(value: LibValue) -> str | None:
    """The dotted name a library callable is known by (``T.m`` for methods)."""
    if isinstance(value, LibName):
        return value.name
    if isinstance(value, LibMethod):
        return f"{value.type}.{value.attr}"
    return None


def _method_keys(value: LibValue) -> tuple[str, ...]:
    if isinstance(value, LibName):
        return (value.name,)
    if isinstance(value, LibMethod):
        keys: list[str] = []
        for t in lib_mro(value.type):
            keys.append(f"{t}.{value.attr}")
            keys.append(f"{t}.*")
        return tuple(keys)
    return ()


def blocking_info(value: LibValue) -> tuple[str, kb.Blocking] | None:
    """The knowledge entry saying this library callable blocks, if any."""
    if isinstance(value, LibMethod) and (value.attr.startswith("_") or value.attr == "__enter__"):
        return None
    for key in _method_keys(value):
        if key in kb.NOT_BLOCKING:
            return None  # an exception to a ``Type.*`` entry met further on
        hit = kb.BLOCKING_CALLS.get(key)
        if hit is not None:
            return key, hit
    return None


def is_coroutine_lib(value: LibValue) -> bool:
    """Whether calling this library callable returns a coroutine (or a lazy awaitable)."""
    return any(key in kb.COROUTINE_FUNCTIONS for key in _method_keys(value) if not key.endswith("*"))


def in_table(value: LibValue | None, table: frozenset[str]) -> bool:
    """Whether a library value (a name, or an instance's type) is listed in ``table``."""
    if value is None:
        return False
    if isinstance(value, LibName):
        return value.name in table
    if isinstance(value, LibObject):
        return any(t in table for t in lib_mro(value.type))
    return any(key in table for key in _method_keys(value))
