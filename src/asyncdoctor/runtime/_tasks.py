"""Tasks: creation sites, exceptions nobody retrieved, tasks pending at shutdown.

* **Creation sites.**  By default nothing runs per task: the creation line
  is found afterwards, for the few tasks that need one, by looking for the
  ``create_task(coro_name(...))`` line in the program's code
  (:mod:`._codesearch`).  With ``task_sites=True`` a task factory is
  installed on each loop (chained to the factory the loop already had, and
  re-chained when the program calls ``loop.set_task_factory`` later, through
  a wrapper on the loop class; ``loop.get_task_factory()`` still returns the
  program's own factory); it creates the task exactly as before,
  then records where it was created: the first frame outside asyncio, found
  with ``sys._getframe`` (a frame look-up materialises one frame object,
  so we start at the right depth: 2 for asyncio's Python ``create_task``, 1
  for uvloop's) and stored as ``(code, lasti)`` interned to a small int, set
  as the attribute ``_asyncdoctor_site`` on the task (``_asyncio.Task`` has
  an instance dict but no ``__dict__`` accessor, so nothing visible changes).
  An attribute survives until the task's finaliser runs, even in a
  reference cycle, where a ``WeakKeyDictionary`` entry would already be gone.
  Measured per-task cost on a 5 us task (create, one ``sleep(0)``, done):
  about 1 us (frame look-ups 0.5 us, the attribute 0.45 us), which is why
  it is off by default.  Task counts come almost for free from asyncio's own registry of tasks
  up to 3.13 (unknown from 3.14, see ``_install_counter``); the peak of
  pending tasks is sampled on every version, and the pending tasks are
  grouped by coroutine as they are counted (:mod:`._taskstats`).
* **Task statistics** (``task_stats=True``): the same task factory (alone,
  or around the creation-site one) counts every task by coroutine, with how
  it ended and how long it lived (:mod:`._taskstats`).
* **Unretrieved exceptions** and **tasks destroyed while pending** reach the
  loop through ``loop.call_exception_handler(context)``, called by the
  task's finaliser (C and Python tasks, asyncio and uvloop) with a method
  look-up on the loop.  We wrap ``call_exception_handler`` on each loop
  *class* we see (asyncio's ``BaseEventLoop``, ``uvloop.Loop``): the
  wrapper records the context and then calls the original method unchanged, so the program's handler (set before
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
import time
import weakref
from collections.abc import Callable
from types import CodeType, CoroutineType, FrameType, GeneratorType
from typing import TYPE_CHECKING, Any

from ._codesearch import guess_task_creation
from ._context import task_context
from ._frames import (
    ASYNCIO_DIR,
    frames_from_traceback,
    innermost_user,
    is_internal_file,
    is_user_file,
    line_of,
)
from ._models import Frame, RuntimeFinding

# Imported with the doctor, not at the first heartbeat: an import there would run in a
# step of the program's loop (and compile, with no bytecode cache: 100 ms on a slow machine).
from ._taskstats import alive_by_coroutine

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._loops import LoopState
    from ._taskstats import TaskTables

__all__ = ["SiteTable", "TaskTracker", "coro_of", "name_of"]

_getframe = sys._getframe
_thread_time = time.thread_time
_SITE_ATTR = "_asyncdoctor_site"
# The names ``WeakSet.add`` uses; the counter replaces it only where it is the one it copies.
_WEAKSET_ADD_NAMES = ("_pending_removals", "_commit_removals", "data", "add", "ref", "_remove")


def coro_of(task: object) -> Any:
    """A task's coroutine, or ``None``.

    Reads the ``_coro`` member rather than calling ``get_coro()``: on
    CPython 3.12.0-3.12.1 ``get_coro()`` of an eager task that finished at
    once returns a NULL pointer and crashes the interpreter (measured here),
    while the member reads as ``None``.
    """
    try:
        return getattr(task, "_coro", None)
    except Exception:
        return None


def name_of(task: object) -> str:
    """A task's name, or ``"?"``."""
    try:
        name = task.get_name()  # type: ignore[attr-defined]
    except Exception:
        return "?"
    return "?" if name is None else str(name)


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


def frame_of(coro: object) -> FrameType | None:
    """The frame of a coroutine, generator or async generator (``None`` once it has ended)."""
    frame: FrameType | None = (
        getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or getattr(coro, "ag_frame", None)
    )
    return frame


def awaited(coro: object) -> object:
    """What a suspended coroutine (or ``yield from`` generator) awaits, or ``None``."""
    if isinstance(coro, CoroutineType):
        return coro.cr_await
    if isinstance(coro, GeneratorType):
        return coro.gi_yieldfrom
    return getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)


def _await_chain(coro: object, limit: int) -> tuple[Frame, ...]:
    """The frames of a suspended coroutine and what it awaits, outermost first."""
    frames: list[Frame] = []
    seen = 0
    while coro is not None and seen < 64:
        seen += 1
        frame = frame_of(coro)
        if frame is not None:
            code = frame.f_code
            frames.append(
                Frame(code.co_filename, frame.f_lineno or code.co_firstlineno, code.co_name)
            )
        coro = awaited(coro)
    return tuple(frames[:limit])


class TaskTracker:
    """Task factory, exception-handler hook and the pending-task hook."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.sites = SiteTable()
        self._created = 0
        self._counting = False  # whether _created counts (see _install_counter)
        self._peak: int | None = None
        self._sampling = True
        self._sample_floor = doctor.options.threshold / 5
        # futures reported by unretrieved_still_referenced(): not again when destroyed
        self._reported: weakref.WeakSet[Any] = weakref.WeakSet()
        # id(code) -> (is asyncio's, code): ids, not code objects, as keys
        # (see SiteTable); the code is kept so that its id stays unique.
        self._aio_codes: dict[int, tuple[bool, CodeType]] = {}
        self._classes: set[type] = set()
        self._inner: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._setters: dict[type, Any] = {}
        self._getters: dict[type, Any] = {}
        #: Every loop's task statistics (``task_stats``; see _taskstats), or None when off.
        self.stats: TaskTables | None = None

    # -- per loop ---------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hook ``loop``'s class (once) and put our task factory on ``loop`` (in its thread)."""
        cls = type(loop)
        if cls not in self._classes:
            self._classes.add(cls)
            self._patch_class(cls)
        if self._factory_wanted():
            inner = self._original_get(loop)
            self._inner[loop] = inner
            self._original_set(loop, self.make_factory(inner, self._start(loop), loop))
        if self.stats is not None:  # tasks made before it ran: asyncio.run's main task
            self.stats.of(loop).adopt(asyncio.all_tasks(loop))

    def _factory_wanted(self) -> bool:
        """Whether each loop gets our task factory: creation sites, or task statistics."""
        return self.doctor.options.task_sites or self.stats is not None

    @staticmethod
    def _start(loop: asyncio.AbstractEventLoop) -> int:
        # Frames between our factory and the caller of create_task: asyncio's
        # Python BaseEventLoop.create_task is one; uvloop's (Cython) none.
        return 2 if isinstance(loop, asyncio.BaseEventLoop) else 1

    def _original_get(self, loop: asyncio.AbstractEventLoop) -> Any:
        getter = self._getters.get(type(loop))
        return getter(loop) if getter is not None else loop.get_task_factory()

    def _original_set(self, loop: asyncio.AbstractEventLoop, factory: Any) -> None:
        setter = self._setters.get(type(loop))
        if setter is not None:
            setter(loop, factory)
        else:
            loop.set_task_factory(factory)

    def _patch_class(self, cls: type) -> None:
        """Wrap ``call_exception_handler`` (and the task-factory accessors) on ``cls``.

        On the class, not the instance: a function stored on a loop instance
        must reach its loop, and a strong reference from the loop's own
        ``__dict__`` would make every loop part of a reference cycle (freed
        only by the garbage collector), while a weak one is already cleared
        when a task in a collected cycle reports its exception.
        """
        patches = self.doctor.patches
        tracker = self
        original_handler = cls.call_exception_handler  # type: ignore[attr-defined]

        def call_exception_handler(self: Any, context: dict[str, Any]) -> None:
            try:
                tracker.on_context(context)
            except Exception as exc:
                tracker.doctor.internal_error("exception handler hook", exc)
            original_handler(self, context)

        call_exception_handler.__doc__ = original_handler.__doc__
        patches.set(cls, "call_exception_handler", call_exception_handler)
        if not self._factory_wanted():
            return
        original_set = cls.set_task_factory  # type: ignore[attr-defined]
        original_get = cls.get_task_factory  # type: ignore[attr-defined]
        self._setters[cls] = original_set
        self._getters[cls] = original_get

        def set_task_factory(self: Any, factory: Any) -> None:
            if factory is not None and not callable(factory):
                raise TypeError("task factory must be a callable or None")
            tracker._inner[self] = factory
            original_set(self, tracker.make_factory(factory, tracker._start(self), self))

        def get_task_factory(self: Any) -> Any:
            if self in tracker._inner:
                return tracker._inner[self]
            return original_get(self)

        set_task_factory.__doc__ = original_set.__doc__
        get_task_factory.__doc__ = original_get.__doc__
        patches.set(cls, "set_task_factory", set_task_factory)
        patches.set(cls, "get_task_factory", get_task_factory)

    def make_factory(
        self, inner: Callable[..., Any] | None, start: int, loop: asyncio.AbstractEventLoop
    ) -> Callable[..., Any]:
        """Our factory for ``loop``: ``inner`` (the program's, or ``None``), then what we record.

        Creation sites (``task_sites``), task statistics (``task_stats``, see
        :mod:`._taskstats`), or both: the statistics' factory then calls the
        sites' factory, one frame deeper from the caller of ``create_task``.
        """
        stats = self.stats
        if stats is None:
            return self._sites_factory(inner, start)
        if self.doctor.options.task_sites:
            inner = self._sites_factory(inner, start + 1)
        from ._taskstats import make_stats_factory

        return make_stats_factory(stats.of(loop), inner, self._stats_failed)

    def after_fork(self) -> None:
        """In a forked child: the parent's task statistics are the parent's to report."""
        if self.stats is not None:
            from ._taskstats import TaskTables

            self.stats = TaskTables(self._stats_failed)

    def _stats_failed(self, exc: BaseException) -> None:
        self.doctor.internal_error("task statistics", exc)

    def _sites_factory(self, inner: Callable[..., Any] | None, start: int) -> Callable[..., Any]:
        Task = asyncio.Task
        aio = self._aio_codes
        intern = self.sites.intern

        def _is_aio(code: CodeType) -> bool:
            # asyncio's frames, and asyncdoctor's own
            answer = code.co_filename.startswith(ASYNCIO_DIR) or is_internal_file(code.co_filename)
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

    def detach_all(self) -> None:
        """Give each loop back the factory the program gave it (class patches are undone by the doctor)."""
        for loop, inner in list(self._inner.items()):
            if loop.is_closed():
                continue
            with contextlib.suppress(Exception):
                self._original_set(loop, inner)
        self._inner = weakref.WeakKeyDictionary()

    # -- creation sites -----------------------------------------------------------

    def site_of(self, task: object, code: CodeType | None = None) -> Frame | None:
        """Where ``task`` was created: recorded (``task_sites``) or found in the code."""
        site = self.sites.frame(getattr(task, _SITE_ATTR, None))
        if site is None and isinstance(task, asyncio.Task):
            try:
                site = guess_task_creation(coro_of(task), code)
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
            if doctor.options.wants("unretrieved-exception") and not self._seen_at_exit(future):
                self._unretrieved(future, exc, message)
        elif message.startswith("Task was destroyed but it is pending"):
            if doctor.options.wants("pending-task") and future is not None:
                self._pending(future, "was destroyed while still pending")
        elif message.startswith(
            ("Unclosed client session", "Unclosed connector")
        ) and doctor.options.wants("unclosed-resource"):
            source = context.get("client_session") or context.get("connector")
            doctor.warnhooks.library_unclosed(message, source)

    def unretrieved_still_referenced(self) -> None:
        """Report the futures that failed, still referenced, whose exception nobody read.

        asyncio reports an unretrieved exception when the future is destroyed;
        one the program still holds (in a module-level list, say) is
        destroyed only while the interpreter shuts down, after the doctor's
        report.  So at exit the doctor looks for them among the objects the
        garbage collector tracks (once: about 10 ms per million objects) and
        reports each now; asyncio's own message still comes at shutdown.
        """
        if not self.doctor.options.wants("unretrieved-exception"):
            return
        import gc

        found = []
        for obj in gc.get_objects():
            if (
                isinstance(obj, asyncio.Future)
                and obj.done()
                and not obj.cancelled()
                and getattr(obj, "_log_traceback", False)
            ):
                found.append(obj)
        for future in found:
            # the member, not exception(): that would count as retrieving it, and asyncio
            # would then not say so at shutdown as it does without the doctor
            exc = getattr(future, "_exception", None)
            if isinstance(exc, BaseException) and not self._seen_at_exit(future):
                self._reported.add(future)
                what = "Task" if isinstance(future, asyncio.Task) else "Future"
                self._unretrieved(future, exc, f"{what} exception was never retrieved")

    def _seen_at_exit(self, future: object) -> bool:
        try:
            return future in self._reported
        except TypeError:
            return False

    def _unretrieved(self, future: object, exc: BaseException, message: str) -> None:
        limit = self.doctor.options.stack_limit
        stack = frames_from_traceback(exc.__traceback__, limit)
        tb = exc.__traceback__
        outermost = tb.tb_frame.f_code if tb is not None else None
        created = self.site_of(future, outermost) if future is not None else None
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
            extra.append(("task", name_of(future)))
            coro = coro_of(future)
            extra.append(("coroutine", getattr(coro, "__qualname__", type(coro).__name__)))
        self.doctor.record(
            RuntimeFinding(
                kind="unretrieved-exception",
                message=f"{what} exception was never retrieved: {text}",
                location=location,
                stack=stack,
                created_at=created,
                extra=tuple(extra),
                context=task_context(future, self.doctor),
            )
        )

    # -- counting ---------------------------------------------------------------

    def _install_counter(self) -> None:
        """Count tasks as asyncio registers them (CPython 3.11-3.13).

        Up to 3.13 every task registers itself in a :class:`weakref.WeakSet`
        (3.11: ``asyncio.tasks._all_tasks``; 3.12-3.13: ``_scheduled_tasks``) by
        calling that set's Python ``add`` method from C.  We replace
        ``WeakSet.add`` on the *class* with the same three lines plus a count
        for that one set: about 475 instructions per task (1.1 % of a 5 us
        task; measured with callgrind on 40,000 tasks).  Two ways that look
        cheaper cost far more: an ``add`` on the registry instance (or only
        reading ``vars(registry)``) materialises the instance's ``__dict__``,
        after which every attribute access of the set, in ``add`` and in its
        weakref callback, takes the slow path (about 1,600 instructions per
        task); wrapping the original method costs an extra call.

        From 3.14 native tasks live in per-thread linked lists and never reach
        the registry, and nothing else is called for every task that could count
        it cheaply: a wrapper on the loop's ``create_task`` (the one Python call
        every way of making a task goes through) costs about 850 instructions a
        task (measured with callgrind on 3.14), 2.7 % of a task that only
        yields once, more than the doctor's whole budget.  So from 3.14 the
        number of tasks created is reported as unknown (``None``), never as 0;
        the most tasks pending at once is sampled on every version.
        """
        if sys.version_info >= (3, 14):
            return
        registry: Any = getattr(asyncio.tasks, "_scheduled_tasks", None)
        if registry is None:
            registry = getattr(asyncio.tasks, "_all_tasks", None)
        weak_set = weakref.WeakSet
        original: Any = vars(weak_set).get("add")
        code = getattr(original, "__code__", None)
        # Never ``vars(registry)``: materialising an instance's ``__dict__`` makes every
        # attribute access on it slower for good (1,500 instructions per task, measured).
        if (
            type(registry) is not weak_set
            or getattr(getattr(registry, "add", None), "__func__", None) is not original
            or code is None
            or code.co_names != _WEAKSET_ADD_NAMES
        ):
            self.doctor.unavailable(
                "tasks created", "asyncio's task registry is not the WeakSet it was up to 3.13"
            )
            return
        ref = weakref.ref
        tracker = self

        def add(self: Any, item: Any) -> None:
            # WeakSet.add, as in the standard library (3.11 to 3.13) ...
            if self._pending_removals:
                self._commit_removals()
            self.data.add(ref(item, self._remove))
            # ... and the count.
            if self is registry:
                tracker._created += 1

        add.__doc__ = weak_set.add.__doc__
        add.__qualname__ = weak_set.add.__qualname__
        self._counting = True
        self.doctor.patches.set(weak_set, "add", add)

    @property
    def created(self) -> int | None:
        """Tasks created since the doctor was installed, or ``None`` when they cannot be counted.

        Counted in asyncio's registry up to 3.13; from 3.14, with
        ``task_stats``, the tasks the loops' task factories made (every task but
        those built directly with ``asyncio.Task(coro)``).
        """
        if self._counting:
            return self._created
        if self.stats is not None:
            from ._taskstats import CREATED

            return sum(int(row[CREATED]) for row in self.stats.merged().values())
        return None

    @property
    def peak(self) -> int | None:
        """The most tasks seen pending on one loop at once (sampled), or ``None`` if never sampled."""
        return self._peak

    def sample_pending(
        self, loop: asyncio.AbstractEventLoop, now: float, state: LoopState | None = None
    ) -> tuple[float, int | None]:
        """Count ``loop``'s pending tasks (at a heartbeat); return when to count again, and the count.

        With the loop's ``state``, the tasks are also counted by coroutine
        (``state.tasks_by_coroutine``, see :func:`._taskstats.alive_by_coroutine`).

        ``asyncio.all_tasks(loop)`` takes time in proportion to the number of
        tasks, so the next count waits at least 500 times as long as this one
        took (0.2 % of the loop's time at most), and at least a fifth of the
        threshold (20 ms by default).  What a count costs is measured in CPU
        time of this thread: on a loaded machine a count that was merely
        preempted must not stop the counting.
        """
        if not self._sampling:
            return now + 3600.0, None
        begin = _thread_time()
        try:
            tasks = asyncio.all_tasks(loop)
            pending = len(tasks)
            if state is not None:
                state.tasks_by_coroutine = alive_by_coroutine(tasks)
        except Exception as exc:
            self._sampling = False
            self.doctor.internal_error("task counts", exc)
            return now + 3600.0, None
        cost = _thread_time() - begin
        if self._peak is None or pending > self._peak:
            self._peak = pending
        return now + max(self._sample_floor, 500 * cost), pending

    # -- pending tasks ------------------------------------------------------------

    def install(self) -> None:
        self._install_counter()
        if self.doctor.options.task_stats:
            from ._taskstats import TaskTables, outcomes_readable

            reason = outcomes_readable()
            if reason is None:
                self.stats = TaskTables(self._stats_failed)
            else:
                self.doctor.unavailable("task statistics", reason)
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
        coro = coro_of(task)
        stack = _await_chain(coro, limit)
        created = self.site_of(task)
        location = (
            created if created is not None and is_user_file(created.path) else innermost_user(stack)
        )
        code = getattr(coro, "cr_code", None)
        if location is None and isinstance(code, CodeType) and is_user_file(code.co_filename):
            # The coroutine was finalised first (a collected cycle): its definition.
            location = Frame(code.co_filename, code.co_firstlineno, code.co_name)
        if location is None:
            return
        name = getattr(coro, "__qualname__", type(coro).__name__ if coro is not None else "?")
        task_name = name_of(task)
        self.doctor.record(
            RuntimeFinding(
                kind="pending-task",
                message=f"task {task_name} running {name}() {how}",
                location=location,
                stack=stack,
                created_at=created,
                extra=(("task", task_name), ("coroutine", name)),
                suspended_at=innermost_user(stack),
                context=task_context(task, self.doctor),
            )
        )
