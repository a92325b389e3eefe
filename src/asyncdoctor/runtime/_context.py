"""The request context of a finding: the correlation ID and route of the task behind it.

A finding says which request caused it when the program keeps a correlation
ID in a context variable: :mod:`asyncdoctor.context`'s (set by its
middlewares or ``bind``), or the ``asgi-correlation-id`` package's.  The
doctor reads them only when one of those modules has been imported (one
``sys.modules`` look-up otherwise), from:

* the context of the task that blocked the loop, read by the watchdog from
  its own thread (``blocking-call``), while the task is blocked;
* the task's own context (``pending-task``, ``unretrieved-exception``);
* the context current where the finding is made (``never-awaited``,
  ``unclosed-resource``): the task that dropped the object, when it was
  freed as the task let go of it, which is the common case; the garbage
  collector may also free it later, in whatever ran then.

A task's context: ``Task.get_context()`` (public since 3.12); on 3.11 the
pure-Python task's ``_context``, and for the C task (``_asyncio.Task``, which
exposes its context to no Python code) the first context its ``tp_traverse``
visits, ``task_context`` (``gc.get_referents``: for ``_asyncio.Task`` it is
the first referent; for a subclass it follows the type; the contexts of done
callbacks come after it).  Verified on 3.11.7, 3.12.1, 3.13.0, 3.14.10 and
3.15.2, asyncio and uvloop.  Where the context cannot be read the finding's
``context`` is ``None`` (unknown) and the report's ``unavailable`` list says
why.
"""

from __future__ import annotations

import gc
import sys
from contextvars import Context, ContextVar, copy_context
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._doctor import Doctor

__all__ = ["current_context", "reading", "task_context"]

Pairs = tuple[tuple[str, str], ...]

_OURS = "asyncdoctor.context._vars"
_FOREIGN = "asgi_correlation_id.context"
_KEPT = 256


def reading() -> bool:
    """Whether a correlation ID can be set in this process (either module imported)."""
    modules = sys.modules
    return _OURS in modules or _FOREIGN in modules


def _values(context: Context) -> Pairs | None:
    ours = sys.modules.get(_OURS)
    if ours is not None:
        pairs: Pairs = ours.context_values(context)
        return pairs or None
    var = getattr(sys.modules.get(_FOREIGN), "correlation_id", None)
    if isinstance(var, ContextVar):
        value = context.get(var)
        if isinstance(value, str) and value:
            if len(value) > _KEPT:
                value = value[: _KEPT - 3] + "..."
            return (("correlation_id", value),)
    return None


def _context_of(task: Any) -> Context | None:
    get_context = getattr(task, "get_context", None)  # 3.12+
    if get_context is not None:
        context = get_context()
        return context if isinstance(context, Context) else None
    context = getattr(task, "_context", None)  # 3.11, the pure-Python task
    if isinstance(context, Context):
        return context
    # 3.11, the C task: its traversal visits task_context first (after the type, for a
    # subclass), before the contexts of its done callbacks.
    for referent in gc.get_referents(task):
        if isinstance(referent, Context):
            return referent
    return None


def task_context(task: Any, doctor: Doctor | None = None) -> Pairs | None:
    """The correlation ID and route in ``task``'s context (``None``: none set, or not
    readable; ``doctor``, if given, is told when it is not readable)."""
    if task is None or not reading() or not hasattr(task, "get_coro"):
        return None  # (a plain future has no context of its own)
    try:
        context = _context_of(task)
        if context is None:
            if doctor is not None:
                doctor.unavailable(
                    "the request context", f"the context of a {type(task).__name__} cannot be read"
                )
            return None
        return _values(context)
    except Exception as exc:
        _failed(doctor, exc)
        return None


def current_context(doctor: Doctor | None = None) -> Pairs | None:
    """The correlation ID and route in the context current here."""
    if not reading():
        return None
    try:
        return _values(copy_context())
    except Exception as exc:
        _failed(doctor, exc)
        return None


def _failed(doctor: Doctor | None, exc: Exception) -> None:
    if doctor is not None:
        doctor.unavailable("the request context", f"reading it failed: {type(exc).__name__}: {exc}")
