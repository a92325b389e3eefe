"""A read-only record type, cheap to define.

``@dataclass(frozen=True, slots=True)`` compiles code for every class it makes, about
0.5 ms each: every ``asyncdoctor run`` would pay for it before the program's first line.
:class:`Record` gives the same behaviour (fields in order, read-only, equality, hashing,
``repr``, ``replace``) from the field names in ``__slots__``.
"""

from __future__ import annotations

from typing import Any, Self

__all__ = ["Record"]

_set = object.__setattr__
_ORDER: dict[type, tuple[str, ...]] = {}


class Record:
    """Base of read-only records; a subclass lists its fields in ``__slots__``, annotates
    each in order, and sets each in ``__init__`` with ``self._init(name=value, ...)``."""

    __slots__ = ()

    def _init(self, **values: Any) -> None:
        for name, value in values.items():
            _set(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is read-only")

    def _fields(self) -> tuple[str, ...]:
        """The field names in the order the class declares them (``__slots__`` is sorted)."""
        cls = type(self)
        fields = _ORDER.get(cls)
        if fields is None:
            slots: tuple[str, ...] = cls.__slots__
            declared = [name for name in vars(cls).get("__annotations__", {}) if name in slots]
            fields = _ORDER[cls] = tuple(declared) if len(declared) == len(slots) else slots
        return fields

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record) and other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields())
        return f"{type(self).__qualname__}({fields})"

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (``dataclasses.replace``)."""
        values: dict[str, Any] = {name: getattr(self, name) for name in self._fields()}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(self)(**values)
