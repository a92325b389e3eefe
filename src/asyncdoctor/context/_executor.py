"""Context into ``loop.run_in_executor``: an opt-in patch of the event loop classes.

``asyncio.to_thread`` runs its function in a copy of the caller's context, but
``loop.run_in_executor`` does not (CPython issue 78195, open since 2018): a
log line written by a function run there has no correlation ID.
:func:`install` makes ``run_in_executor`` of asyncio's ``BaseEventLoop`` (so
of every asyncio loop) and, when uvloop is installed, of ``uvloop.Loop`` run
the function in a copy of the caller's context, as ``to_thread`` does;
:func:`uninstall` puts the original methods back.

Only what is sure to be safe is wrapped: a thread pool (the default executor
or a ``concurrent.futures.ThreadPoolExecutor``, but not 3.14's
``InterpreterPoolExecutor``), with a function that is not a coroutine
function.  A process pool must pickle the function, which a context cannot
be, and asyncio's debug mode refuses coroutine functions with a
``TypeError``: those calls go to the original method unchanged.  Otherwise
``run_in_executor`` takes the same arguments and returns the same future.
"""

from __future__ import annotations

import _thread
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["install", "installed", "uninstall"]

_MISSING = object()
_lock = _thread.allocate_lock()
# (class, what its own __dict__ held under "run_in_executor", or _MISSING)
_patched: list[tuple[type, object]] = []


def _targets() -> list[type]:
    import asyncio

    targets: list[type] = [asyncio.BaseEventLoop]
    try:
        import uvloop
    except ImportError:
        return targets
    loop_class = getattr(uvloop, "Loop", None)
    if isinstance(loop_class, type):
        targets.append(loop_class)
    return targets


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    import contextvars
    import functools
    import inspect
    from concurrent.futures import ThreadPoolExecutor

    try:  # 3.14+; concurrent.futures imports it on first access
        interpreters = getattr(sys.modules["concurrent.futures"], "InterpreterPoolExecutor", None)
    except Exception:  # no subinterpreters in this build
        interpreters = None
    copy_context = contextvars.copy_context

    def copies(executor: object, func: object) -> bool:
        if executor is not None and (
            not isinstance(executor, ThreadPoolExecutor)
            or (interpreters is not None and isinstance(executor, interpreters))
        ):
            return False
        return not (
            inspect.iscoroutinefunction(func)
            or inspect.iscoroutine(func)
            or getattr(func, "_is_coroutine", None) is not None
        )

    @functools.wraps(original)
    def run_in_executor(self: Any, executor: Any, func: Any, *args: Any) -> Any:
        if copies(executor, func):
            return original(self, executor, copy_context().run, func, *args)
        return original(self, executor, func, *args)

    run_in_executor.__asyncdoctor_context__ = True  # type: ignore[attr-defined]
    return run_in_executor


def install() -> None:
    """Make ``run_in_executor`` run its function in a copy of the caller's context.

    Idempotent; affects every loop of the process, existing ones included,
    until :func:`uninstall`.
    """
    with _lock:
        if _patched:
            return
        for cls in _targets():
            own = cls.__dict__.get("run_in_executor", _MISSING)
            original = getattr(cls, "run_in_executor")  # noqa: B009 - the class attribute
            if getattr(original, "__asyncdoctor_context__", False):
                continue
            cls.run_in_executor = _wrap(original)  # type: ignore[attr-defined]
            _patched.append((cls, own))


def uninstall() -> None:
    """Put back the original ``run_in_executor`` methods (idempotent)."""
    with _lock:
        while _patched:
            cls, own = _patched.pop()
            if own is _MISSING:
                delattr(cls, "run_in_executor")
            else:
                cls.run_in_executor = own  # type: ignore[attr-defined]


def installed() -> bool:
    """Whether :func:`install` is in effect."""
    return bool(_patched)
