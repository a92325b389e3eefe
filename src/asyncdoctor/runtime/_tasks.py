"""Tasks: creation sites, exceptions nobody retrieved, tasks pending at shutdown.

* **Creation sites.**  By default nothing runs per task: the creation line
  is found afterwards, for the few tasks that need one, by looking for the
  ``create_task(coro_name(...))`` line in the program's code
  (:mod:`._codesearch`).  With ``task_sites=True`` a task factory installed on each loop (chained to the
  factory the loop already had, and re-chained when the program calls
  ``loop.set_task_factory`` later; ``loop.get_task_factory()`` still
  returns the program's own factory) creates the task exactly as before,
  then records where it was created: the first frame outside asyncio, found
  with ``sys._getframe`` (a frame look-up materialises one frame object,
  so we start at the right depth: 2 for asyncio's Python ``create_task``, 1
  for uvloop's) and stored as ``(code, lasti)`` interned to a small int, set
  as the attribute ``_asyncdoctor_site`` on the task (``_asyncio.Task`` has
  an instance dict but no ``__dict__`` accessor, so nothing visible changes).
  An attribute survives until the task's finaliser runs, even in a
  reference cycle, where a ``WeakKeyDictionary`` entry would already be gone.
  Measured per-task cost on a 5 us task (create, one ``sleep(0)``, done):
  about 0.5 us, a third of it the attribute; ``task_sites=False`` turns it off.
* **Unretrieved exceptions** and **tasks destroyed while pending** reach the
  loop through ``loop.call_exception_handler(context)``, called by the
  task's finaliser (C and Python tasks, asyncio and uvloop) with a method
  look-up on the loop.  We set an instance attribute
  ``call_exception_handler`` on each loop that records the context and then
  calls the class's method unchanged, so the program's handler (set before
  or after us with ``set_exception_handler``) runs exactly as before and
  ``get_exception_handler()`` is untouched.  aiohttp's "Unclosed client
  session" / "Unclosed connector" reports come the same way.
* **Pending tasks at shutdown.**  ``asyncio.run`` (and ``uvloop.run``, which
  uses ``asyncio.Runner`` on 3.11+) cancels the tasks still pending through
  ``asyncio.runners._cancel_all_tasks(loop)``, a module global looked up at
  call time: we wrap it and record each pending task (coroutine, creation
  site, the await chain it is suspended in) before the original cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import weakref
from collections.abc import Callable
from types import CodeType, CoroutineType, FrameType, GeneratorType
from typing import TYPE_CHECKING, Any

from ._codesearch import guess_task_creation
from ._frames import ASYNCIO_DIR, frames_from_traceback, innermost_user, is_user_file, line_of
from ._models import Frame, RuntimeFinding

if TYPE_CHECKING:
    from ._doctor import Doctor

__all__ = ["SiteTable", "TaskTracker"]

_getframe = sys._getframe
_SITE_ATTR = "_asyncdoctor_site"


class SiteTable:
    """Interned creation sites: ``(code, lasti)`` <-> small int."""

    def __init__(self) -> None:
        # Keyed by id(code): hashing a code object hashes its constants
        # tuple every time (measured: the largest part of the per-task
        # cost).  The code objects stay referenced from ``sites``, so an id
        # is never reused while it is a key here.
        self.ids: dict[tuple[int, int], int] = {}
        self.sites: list[tuple[CodeType, int]] = []
        self.lock = threading.Lock()

    def intern(self, code: CodeType, lasti: int) -> int:
        key = (id(code), lasti)
        sid = self.ids.get(key)
        if sid is None:
            with self.lock:
                sid = self.ids.get(key)
                if sid is None:
                    sid = self.ids[key] = len(self.sites)
                    self.sites.append((code, lasti))
        return sid

    def frame(self, sid: object) -> Frame | None:
        if not isinstance(sid, int) or not 0 <= sid < len(self.sites):
            return None
        code, lasti = self.sites[sid]
        return Frame(code.co_filename, line_of(code, lasti), code.co_name)


def _await_chain(coro: object, limit: int) -> tuple[Frame, ...]:
    """The frames of a suspended coroutine and what it awaits, outermost first."""
    frames: list[Frame] = []
    seen = 0
    while coro is not None and seen < 64:
        seen += 1
        frame: FrameType | None = (
            getattr(coro, "cr_frame", None)
            or getattr(coro, "gi_frame", None)
            or getattr(coro, "ag_frame", None)
        )
        if frame is not None:
            code = frame.f_code
            frames.append(
                Frame(code.co_filename, frame.f_lineno or code.co_firstlineno, code.co_name)
            )
        if isinstance(coro, CoroutineType):
            coro = coro.cr_await
        elif isinstance(coro, GeneratorType):
            coro = coro.gi_yieldfrom
        else:
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return tuple(frames[:limit])


class TaskTracker:
    """Task factory, exception-handler hook and the pending-task hook."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.sites = SiteTable()
        self.created = 0
        self.peak = 0
        # id(code) -> (is asyncio's, code): ids, not code objects, as keys
        # (see SiteTable); the code is kept so that its id stays unique.
        self._aio_codes: dict[int, tuple[bool, CodeType]] = {}
        self._loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    # -- per loop ---------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Put our factory and exception-handler hook on ``loop`` (in its thread)."""
        doctor = self.doctor
        if doctor.options.task_sites:
            self._attach_factory(loop)
        self._attach_handler(loop)
        self._loops.add(loop)

    def _attach_factory(self, loop: asyncio.AbstractEventLoop) -> None:
        cls = type(loop)
        original_set = cls.set_task_factory
        original_get = cls.get_task_factory
        start = 2 if isinstance(loop, asyncio.BaseEventLoop) else 1
        tracker = self
        state: dict[str, Any] = {"inner": original_get(loop)}

        def set_task_factory(factory: Any) -> None:
            if factory is not None and not callable(factory):
                raise TypeError("task factory must be a callable or None")
            state["inner"] = factory
            original_set(loop, tracker.make_factory(factory, start))

        def get_task_factory() -> Any:
            return state["inner"]

        try:
            original_set(loop, self.make_factory(state["inner"], start))
            loop.set_task_factory = set_task_factory  # type: ignore[method-assign]
            loop.get_task_factory = get_task_factory  # type: ignore[method-assign]
        except (AttributeError, TypeError) as exc:
            self.doctor.internal_error("task factory", exc)

    def make_factory(self, inner: Callable[..., Any] | None, start: int) -> Callable[..., Any]:
        Task = asyncio.Task
        aio = self._aio_codes
        intern = self.sites.intern

        def _is_aio(code: CodeType) -> bool:
            answer = code.co_filename.startswith(ASYNCIO_DIR)
            aio[id(code)] = (answer, code)
            return answer

        def task_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
            task = Task(coro, loop=loop, **kwargs) if inner is None else inner(loop, coro, **kwargs)
            try:
                f: FrameType | None = _getframe(start)
                while f is not None:
                    code = f.f_code
                    known = aio.get(id(code))
                    lib = _is_aio(code) if known is None else known[0]
                    if not lib:
                        setattr(task, _SITE_ATTR, intern(code, f.f_lasti))
                        break
                    f = f.f_back
            except Exception:  # a task type without attributes: no site
                pass
            return task

        task_factory.__qualname__ = "asyncdoctor_task_factory"
        return task_factory

    def _attach_handler(self, loop: asyncio.AbstractEventLoop) -> None:
        method = type(loop).call_exception_handler
        tracker = self
        loop_ref = weakref.ref(loop)

        def call_exception_handler(context: dict[str, Any]) -> None:
            try:
                tracker.on_context(context)
            except Exception as exc:
                tracker.doctor.internal_error("exception handler hook", exc)
            target = loop_ref()
            if target is not None:
                method(target, context)

        try:
            loop.call_exception_handler = call_exception_handler  # type: ignore[method-assign]
        except (AttributeError, TypeError) as exc:
            self.doctor.internal_error("exception handler hook", exc)

    def detach_all(self) -> None:
        for loop in list(self._loops):
            namespace = getattr(loop, "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            getter = namespace.pop("get_task_factory", None)
            namespace.pop("set_task_factory", None)
            namespace.pop("call_exception_handler", None)
            if getter is not None:
                with contextlib.suppress(Exception):
                    type(loop).set_task_factory(loop, getter())
        self._loops = weakref.WeakSet()

    # -- creation sites -----------------------------------------------------------

    def site_of(self, task: object) -> Frame | None:
        """Where ``task`` was created: recorded (``task_sites``) or found in the code."""
        site = self.sites.frame(getattr(task, _SITE_ATTR, None))
        if site is None and isinstance(task, asyncio.Task):
            try:
                site = guess_task_creation(task.get_coro())
            except Exception as exc:
                self.doctor.internal_error("creation-site search", exc)
        return site

    # -- exception handler contexts --------------------------------------------

    def on_context(self, context: dict[str, Any]) -> None:
        doctor = self.doctor
        message = str(context.get("message", ""))
        future = context.get("future") or context.get("task")
        exc = context.get("exception")
        if message.endswith("exception was never retrieved") and isinstance(exc, BaseException):
            if doctor.options.wants("unretrieved-exception"):
                self._unretrieved(future, exc, message)
        elif message.startswith("Task was destroyed but it is pending"):
            if doctor.options.wants("pending-task") and future is not None:
                self._pending(future, "was destroyed while still pending")
        elif message.startswith(
            ("Unclosed client session", "Unclosed connector")
        ) and doctor.options.wants("unclosed-resource"):
            source = context.get("client_session") or context.get("connector")
            doctor.warnhooks.library_unclosed(message, source)

    def _unretrieved(self, future: object, exc: BaseException, message: str) -> None:
        limit = self.doctor.options.stack_limit
        stack = frames_from_traceback(exc.__traceback__, limit)
        created = self.site_of(future) if future is not None else None
        location = innermost_user(stack) or (
            created if created and is_user_file(created.path) else None
        )
        if location is None:
            location = stack[-1] if stack else created
        if location is None:
            return
        what = "task" if isinstance(future, asyncio.Task) else "future"
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        extra: list[tuple[str, str]] = [("exception", type(exc).__qualname__)]
        if isinstance(future, asyncio.Task):
            extra.append(("task", future.get_name()))
            coro = future.get_coro()
            extra.append(("coroutine", getattr(coro, "__qualname__", type(coro).__name__)))
        self.doctor.record(
            RuntimeFinding(
                kind="unretrieved-exception",
                message=f"{what} exception was never retrieved: {text}",
                location=location,
                stack=stack,
                created_at=created,
                extra=tuple(extra),
            )
        )

    # -- counting ---------------------------------------------------------------

    def _install_counter(self) -> None:
        """Count tasks through asyncio's registry of live tasks, at no extra cost.

        Every task registers itself in a :class:`weakref.WeakSet` (CPython
        3.11: ``asyncio.tasks._all_tasks``; 3.12+: ``_scheduled_tasks``) by
        calling its Python ``add`` method, from C.  We give that one set an
        ``add`` of the same cost that also counts the task and the live
        total.  Where the registry is not such a set, the counts stay 0.
        """
        registry = getattr(asyncio.tasks, "_scheduled_tasks", None)
        if registry is None:
            registry = getattr(asyncio.tasks, "_all_tasks", None)
        if type(registry) is not weakref.WeakSet or "add" in vars(registry):
            return
        data = registry.data  # type: ignore[attr-defined]
        remove = registry._remove  # type: ignore[attr-defined]
        ref = weakref.ref
        tracker = self

        def add(item: Any) -> None:
            if registry._pending_removals:  # type: ignore[attr-defined]
                registry._commit_removals()  # type: ignore[attr-defined]
            data.add(ref(item, remove))
            tracker.created += 1
            n = len(data)
            if n > tracker.peak:
                tracker.peak = n

        self.doctor.patches.set(registry, "add", add)

    # -- pending tasks ------------------------------------------------------------

    def install(self) -> None:
        self._install_counter()
        runners = getattr(asyncio, "runners", None)
        original = getattr(runners, "_cancel_all_tasks", None)
        if runners is None or original is None:
            return
        tracker = self

        def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> Any:
            try:
                if tracker.doctor.options.wants("pending-task"):
                    for task in asyncio.all_tasks(loop):
                        if not task.done():
                            tracker._pending(task, "was still pending when the loop shut down")
            except Exception as exc:
                tracker.doctor.internal_error("pending tasks", exc)
            return original(loop)

        self.doctor.patches.set(runners, "_cancel_all_tasks", _cancel_all_tasks)

    def _pending(self, task: Any, how: str) -> None:
        limit = self.doctor.options.stack_limit
        try:
            coro = task.get_coro()
        except Exception:
            coro = None
        stack = _await_chain(coro, limit)
        created = self.site_of(task)
        location = (
            created if created is not None and is_user_file(created.path) else innermost_user(stack)
        )
        if location is None:
            return
        name = getattr(coro, "__qualname__", type(coro).__name__ if coro is not None else "?")
        try:
            task_name = str(task.get_name())
        except Exception:
            task_name = "?"
        where = innermost_user(stack)
        suffix = (
            f", suspended at {where.path}:{where.line}"
            if where is not None and where != location
            else ""
        )
        self.doctor.record(
            RuntimeFinding(
                kind="pending-task",
                message=f"task {task_name} running {name}() {how}{suffix}",
                location=location,
                stack=stack,
                created_at=created,
                extra=(("task", task_name), ("coroutine", name)),
            )
        )
