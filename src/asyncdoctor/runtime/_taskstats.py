"""Task figures by coroutine: how many are alive (sampled), and, on request, how each ended and lived.

A task is known by the ``__qualname__`` of its coroutine (``"Server.handle"``),
the name the findings use too: a function decorated with ``functools.wraps``
keeps the name its author gave it, and the string is the coroutine's own (no
name is built per task).  A task whose coroutine is gone (a task that finished
eagerly, on 3.12+) is ``"?"``.

* **Tasks alive by coroutine** (always on, nothing per task): when the
  heartbeat counts a loop's pending tasks (``asyncio.all_tasks(loop)``, at a
  cost-bounded rate, see ``TaskTracker.sample_pending``), it also groups them by
  name (:func:`alive_by_coroutine`): about 0.1 us per pending task, paid by the
  count, whose rate already adapts to what it costs.
* **Exact task statistics** (``DoctorOptions(task_stats=True)``): the task
  factory the doctor can put on each loop (see :mod:`._tasks`) also counts
  every task it creates by name, reads the clock, and adds one done callback,
  shared by all tasks of the loop, that counts how the task ended (done,
  cancelled, failed) and how long it lived: about 17,700 instructions (3 us)
  per task on 3.11, for a task that takes 50,000 to yield once and end
  (callgrind, ``bench/task_metrics_cost.py``).  About 11,500 of them are
  asyncio's: a done callback is a ``Handle`` made by ``loop.call_soon`` and
  then run by the loop; no cheaper hook tells when a task ends without
  wrapping its coroutine.  That is why it is off by default.

How the counts are kept:

* **One table per loop** (:class:`TaskTable`), written only by the loop's
  thread, so a count is never lost between threads (free-threaded builds
  included); readers copy it.  The table of a loop that was garbage-collected
  is folded into one table of the past (:meth:`TaskTables.fold`), so memory
  stays bounded however many loops a program runs.
* **Bounded names**: a table keeps at most :data:`MAX_NAMES` names; tasks of
  any further name are counted under ``"other"``.  Exporters show the
  :data:`TOP` names with the most tasks and sum the rest under ``"other"``,
  so the number of series is bounded even if a program makes coroutines of
  millions of distinct names (functions made with ``exec``).
* **Lifetimes** run from just before the task is created (an eager task's
  first step included) to when its done callback runs: the loop's next turn
  after the task finished, so a lifetime also holds the rest of the turn in
  which it ended.  They fall in the buckets of :data:`DURATION_BOUNDS` (100 us
  to 5 minutes, and above).  A task destroyed while still pending (a bug the
  ``pending-task`` detector reports) never ends: it is created, not finished.
* **Nothing keeps a task alive**: the creation time waits in a dict keyed by
  ``id(task)``, taken out by the callback.  An id is reused only after its
  task is freed; the entry of a task destroyed while pending is overwritten by
  the next task with that id.
* **The outcome** is read without retrieving the exception:
  ``task.cancelled()`` (public), then the ``_exception`` member of asyncio's
  tasks (verified on CPython 3.11-3.13 here, and in 3.14-3.15's source: C and
  Python tasks alike).  ``Task.exception()`` would mark it as retrieved, and
  asyncio would then not log "Task exception was never retrieved", which it
  must still do.

What the program can see: a pending task's ``repr()`` lists one more done
callback (``cb=[asyncdoctor_task_done() at ...]``), and that callback runs in
its own empty :class:`contextvars.Context`.  Tasks built directly with
``asyncio.Task(coro)`` rather than by a loop's ``create_task`` (which
``asyncio.create_task``, ``ensure_future``, ``gather``, ``TaskGroup`` and
``wait_for`` all use) do not go through a task factory and are not counted.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "DURATION_BOUNDS",
    "MAX_NAMES",
    "OTHER",
    "TOP",
    "TaskTable",
    "TaskTables",
    "alive_by_coroutine",
    "coroutine_name",
    "make_stats_factory",
    "outcomes_readable",
    "rank",
]

#: Upper bounds (seconds) of the task-lifetime histogram's buckets, as Prometheus counts them.
DURATION_BOUNDS: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
)  # fmt: skip
#: The name under which the tasks of every name not shown one by one are summed.
OTHER = "other"
#: The name of a task whose coroutine is gone.
UNKNOWN = "?"
#: Names shown one by one (the ones with the most tasks); the rest go under :data:`OTHER`.
TOP = 20
#: Distinct names one loop's table keeps; tasks of further names are counted under OTHER.
MAX_NAMES = 1024

# A table row: counts by outcome, the lifetimes' sum, then one count per bucket (the last
# one above every bound).  A list, so that the loop's thread adds to it in place.
CREATED, DONE, CANCELLED, FAILED, SECONDS, BUCKETS = range(6)
ROW_SIZE = BUCKETS + len(DURATION_BOUNDS) + 1


def coroutine_name(coro: object) -> str:
    """The name a task running ``coro`` is counted under."""
    try:
        name = coro.__qualname__  # type: ignore[attr-defined]
    except AttributeError:
        return UNKNOWN if coro is None else type(coro).__qualname__
    return name if isinstance(name, str) else UNKNOWN


def outcomes_readable() -> str | None:
    """Why a task's outcome cannot be read here without retrieving its exception, or ``None``."""
    for cls in (asyncio.Task, asyncio.Future):
        if not callable(getattr(cls, "cancelled", None)) or not hasattr(cls, "_exception"):
            return f"{cls.__module__}.{cls.__qualname__} has no _exception member"
    return None


def rank(counts: dict[str, int], top: int) -> tuple[tuple[str, int], ...]:
    """The ``top`` names with the highest counts (ties by name), then the rest as ``"other"``.

    A coroutine that is itself named ``"other"`` joins the rest, so no name
    appears twice.
    """
    rest = counts.get(OTHER, 0)
    ranked = sorted(
        ((name, n) for name, n in counts.items() if name != OTHER), key=lambda kv: (-kv[1], kv[0])
    )
    rest += sum(n for _, n in ranked[top:])
    shown = tuple(ranked[:top])
    return (*shown, (OTHER, rest)) if rest else shown


def alive_by_coroutine(tasks: Iterable[Any], top: int = TOP) -> tuple[tuple[str, int], ...]:
    """Pending tasks counted by coroutine name: the ``top`` names, then ``"other"``.

    Reads each task's ``_coro`` member, not ``get_coro()`` (see
    :func:`._tasks.coro_of`: the method can crash 3.12.0-3.12.1).
    """
    counts: dict[str, int] = {}
    get = counts.get
    for task in tasks:
        try:
            name = task._coro.__qualname__
        except AttributeError:  # no coroutine (None), or not a coroutine object
            name = coroutine_name(getattr(task, "_coro", None))
        counts[name] = get(name, 0) + 1
    return rank(counts, top)


class TaskTable:
    """One loop's task counts by name: written only in the loop's thread, read by any thread."""

    __slots__ = ("context", "done", "rows", "started")

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        self.rows: dict[str, list[Any]] = {}
        # id(task) -> (row, when it was created), until its done callback runs
        self.started: dict[int, tuple[list[Any], float]] = {}
        # The done callbacks run in this context: no copy of the program's per task.  One
        # per loop: a context can be entered by one thread at a time.
        self.context = contextvars.Context()
        #: The done callback of every task of the loop.
        self.done = _done_callback(self, on_error)

    def row(self, name: str) -> list[Any]:
        """The row of ``name``, made on first use (``"other"`` once the table is full)."""
        rows = self.rows
        row = rows.get(name)
        if row is None:
            if len(rows) >= MAX_NAMES:
                name = OTHER
                row = rows.get(name)
            if row is None:
                row = rows[name] = [0] * ROW_SIZE
                row[SECONDS] = 0.0
        return row

    def copy(self) -> list[tuple[str, list[Any]]]:
        """The rows as they are now (any thread)."""
        return [(name, list(row)) for name, row in list(self.rows.items())]

    def adopt(self, tasks: Iterable[Any]) -> None:
        """Count ``tasks``, made before the loop first ran (``asyncio.run``'s main task).

        No factory of ours saw them created: they count from now, in the
        loop's thread as it starts.
        """
        now = time.monotonic()
        for task in tasks:
            if id(task) in self.started:
                continue
            row = self.row(coroutine_name(getattr(task, "_coro", None)))
            row[CREATED] += 1
            self.started[id(task)] = (row, now)
            task.add_done_callback(self.done, context=self.context)


def _done_callback(table: TaskTable, on_error: Callable[[BaseException], None]) -> Callable[[Any], None]:
    """The done callback of ``table``'s tasks: how the task ended, how long it lived."""
    monotonic = time.monotonic
    started = table.started
    bounds = DURATION_BOUNDS

    def asyncdoctor_task_done(task: Any) -> None:
        try:
            entry = started.pop(id(task), None)
            if entry is None:
                return
            row, began = entry
            elapsed = monotonic() - began
            row[BUCKETS + bisect_left(bounds, elapsed)] += 1
            row[SECONDS] += elapsed
            if task.cancelled():
                row[CANCELLED] += 1
            elif task._exception is not None:
                row[FAILED] += 1
            else:
                row[DONE] += 1
        except Exception as exc:
            on_error(exc)

    return asyncdoctor_task_done


def _add(into: dict[str, list[Any]], name: str, row: list[Any]) -> None:
    target = into.get(name)
    if target is None:
        into[name] = list(row)
    else:
        for index, value in enumerate(row):
            target[index] += value


class TaskTables:
    """Every loop's :class:`TaskTable`, and the counts of the loops that are gone."""

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        self.on_error = on_error
        self.lock = threading.Lock()
        self._live: weakref.WeakKeyDictionary[Any, TaskTable] = weakref.WeakKeyDictionary()
        self._past: dict[str, list[Any]] = {}
        # Tables of collected loops, waiting to be folded into _past.  The garbage
        # collector's finaliser only appends here: it may run in a thread that holds the lock.
        self._dead: list[TaskTable] = []

    def live(self, loop: Any) -> TaskTable | None:
        """``loop``'s table if it has one (any thread)."""
        return self._live.get(loop)

    def of(self, loop: Any) -> TaskTable:
        """``loop``'s table (made on first use; in the loop's thread)."""
        table = self._live.get(loop)
        if table is None:
            self.fold()
            table = TaskTable(self.on_error)
            with self.lock:
                self._live[loop] = table
            finalizer = weakref.finalize(loop, self._dead.append, table)
            finalizer.atexit = False
        return table

    def fold(self) -> None:
        """Fold the tables of collected loops into the past (nothing writes them any more)."""
        with self.lock:
            while self._dead:
                table = self._dead.pop()
                for name, row in table.rows.items():
                    if name not in self._past and len(self._past) >= MAX_NAMES:
                        name = OTHER
                    _add(self._past, name, row)

    def merged(self) -> dict[str, list[Any]]:
        """Every loop's rows added up by name, those of loops that are gone included."""
        self.fold()
        with self.lock:
            tables = list(self._live.values())
            out = {name: list(row) for name, row in self._past.items()}
        for table in tables:
            for name, row in table.copy():
                _add(out, name, row)
        return out


def make_stats_factory(
    table: TaskTable, inner: Callable[..., Any] | None, on_error: Callable[[BaseException], None]
) -> Callable[..., Any]:
    """A task factory that creates the task as before and counts it in ``table``.

    ``inner`` is the factory the task is made with (the program's own, or the
    creation-site factory); ``None`` means ``asyncio.Task``, as a loop without
    a factory does.  Any failure of ours goes to ``on_error`` (the doctor's
    ``internal_error``) and the task is returned all the same; an exception of
    the program's factory or of ``Task`` reaches the caller unchanged.
    """
    Task = asyncio.Task
    monotonic = time.monotonic
    rows = table.rows
    new_row = table.row
    started = table.started
    context = table.context
    done = table.done

    def task_factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
        began = monotonic()
        task = Task(coro, loop=loop, **kwargs) if inner is None else inner(loop, coro, **kwargs)
        try:
            try:
                name = coro.__qualname__
            except AttributeError:
                name = coroutine_name(coro)
            row = rows.get(name)
            if row is None:
                row = new_row(name)
            row[CREATED] += 1
            started[id(task)] = (row, began)
            task.add_done_callback(done, context=context)
        except Exception as exc:
            on_error(exc)
        return task

    task_factory.__qualname__ = "asyncdoctor_task_factory"
    return task_factory
