"""Correlation IDs in log records: a ``logging`` filter and a structlog processor.

Neither imports its library: a ``logging`` filter may be any object with a
``filter(record)`` method, and a structlog processor is a plain callable.
"""

from __future__ import annotations

from ._vars import get_correlation_id, get_route

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import MutableMapping
    from typing import Any

__all__ = ["ContextFilter", "add_context"]


class ContextFilter:
    """A ``logging`` filter that gives every record ``correlation_id`` and ``route``.

    Outside a request both are ``default`` (``"-"``), so a format string such
    as ``"%(correlation_id)s %(route)s %(message)s"`` never fails.  A record
    that already has the attribute (``extra={"correlation_id": ...}``) keeps
    it.  It filters nothing out.  Add it to the *handler* (filters on a
    logger do not see the records of its child loggers)::

        handler.addFilter(ContextFilter())
    """

    __slots__ = ("default",)

    def __init__(self, default: str = "-") -> None:
        self.default = default

    def __repr__(self) -> str:
        return f"ContextFilter(default={self.default!r})"

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = get_correlation_id() or self.default
        if not hasattr(record, "route"):
            record.route = get_route() or self.default
        return True


def add_context(
    logger: object, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor that adds ``correlation_id`` and ``route`` to each event.

    ``structlog.configure(processors=[add_context, ..., JSONRenderer()])``.
    A key is added only when its value is known (inside a request) and the
    event has no such key already.
    """
    if "correlation_id" not in event_dict:
        cid = get_correlation_id()
        if cid is not None:
            event_dict["correlation_id"] = cid
    if "route" not in event_dict:
        route = get_route()
        if route is not None:
            event_dict["route"] = route
    return event_dict
