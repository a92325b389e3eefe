"""Finding every event loop, and the heartbeat each one gets.

How loops are found (verified against CPython 3.11-3.13 and uvloop 0.2x):

* ``BaseEventLoop.run_forever`` calls ``events._set_running_loop(self)``,
  looked up in the module at call time, when it starts and
  ``events._set_running_loop(None)`` when it stops.  We wrap
  ``asyncio.events._set_running_loop`` (and ``asyncio._set_running_loop``,
  the same function re-exported).
* uvloop binds ``asyncio._set_running_loop`` once, when ``uvloop.loop`` is
  imported (``cdef aio_set_running_loop = getattr(asyncio, ...)`` in
  ``includes/stdlib.pxi``), so the wrapper sees uvloop loops only when it was
  installed before uvloop was imported (``asyncdoctor run`` guarantees it).
* As a fallback that works whatever the import order, both loops call
  ``sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook, ...)``
  (a module attribute looked up at call time, also from Cython) right before
  they start running, and put the previous hooks back right after they stop:
  we wrap ``sys.set_asyncgen_hooks`` and read the loop from the bound
  method's ``__self__``.

Both hooks run in the loop's own thread, just before the loop runs, so the
per-loop instruments (heartbeat, task factory, exception-handler hook) are
attached there without any cross-thread call.  Each loop is registered once,
weakly (:class:`weakref.WeakKeyDictionary`).  A loop that is already
running in another thread when the doctor is installed is not seen until it
is run again.

The heartbeat is a ``loop.call_later(interval, beat)`` that re-arms itself;
it records when it ran and how late it was (the loop lag).  The watchdog
thread (:mod:`._watchdog`) reads those times to tell when a loop is stuck.
When a loop stops running its heartbeat is cancelled, so time spent between
two ``run_until_complete`` calls never counts as lag.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import weakref
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._doctor import Doctor

__all__ = ["LoopState", "LoopWatcher"]

_monotonic = time.monotonic


def _loop_name(loop: object) -> str:
    cls = type(loop)
    module = cls.__module__
    if module.startswith("asyncio."):
        module = "asyncio"
    return f"{module}.{cls.__qualname__}"


def _schedstat_path() -> str | None:
    """Linux's per-thread ``schedstat`` (time on CPU, time waiting for one), if readable."""
    try:
        path = f"/proc/self/task/{threading.get_native_id()}/schedstat"
    except (AttributeError, OSError):
        return None
    return path if os.path.exists(path) else None


class LoopState:
    """What the doctor knows about one loop; written by its thread, read by the watchdog."""

    def __init__(self, doctor: Doctor, loop: asyncio.AbstractEventLoop, interval: float) -> None:
        self.doctor = doctor
        self.loop_ref: weakref.ref[asyncio.AbstractEventLoop] = weakref.ref(loop)
        self.name = _loop_name(loop)
        self.interval = interval
        self.thread_id = 0
        self.running = False
        self.stopped_at = 0.0
        self.driver_id = 0
        self.driver_depth = 0
        self.driver_key: tuple[str, str] = ("", "")
        self.last_beat = 0.0
        self.due = 0.0
        self.beats = 0
        self.handle: asyncio.TimerHandle | None = None
        self.attached = False
        self.sched_path: str | None = None
        # Owned by the watchdog (under its lock).
        self.watch: Any = None

    # -- in the loop's thread -------------------------------------------------

    def started(self, loop: asyncio.AbstractEventLoop, driver: FrameType | None) -> None:
        """The loop is about to run in the current thread."""
        if self.running:
            return
        self.thread_id = threading.get_ident()
        self.sched_path = _schedstat_path()
        if driver is not None:
            self.driver_id = id(driver)
            self.driver_key = (driver.f_code.co_filename, driver.f_code.co_name)
            depth = 0
            frame: FrameType | None = driver
            while frame is not None:
                depth += 1
                frame = frame.f_back
            self.driver_depth = depth
        else:
            self.driver_id = 0
            self.driver_depth = 0
            self.driver_key = ("", "")
        now = _monotonic()
        self.last_beat = now
        self.due = now + self.interval
        self.running = True
        if self.doctor.options.wants("blocking-call") and not self.doctor.closing:
            self.handle = loop.call_later(self.interval, self.beat)
        self.doctor.watchdog_wake()

    def stopped(self) -> None:
        """The loop stopped running (still in its thread)."""
        if not self.running:
            return
        self.running = False
        self.stopped_at = _monotonic()
        handle, self.handle = self.handle, None
        if handle is not None:
            handle.cancel()
        # Settle now: the loop (and this state, weakly keyed by it) may be
        # garbage-collected before the watchdog's next look.
        self.doctor.loop_stopped(self)

    def beat(self) -> None:
        """The heartbeat: note the time and the lag, then re-arm."""
        now = _monotonic()
        self.doctor.record_lag(now - self.due)
        self.last_beat = now
        self.due = now + self.interval
        self.beats += 1
        self.doctor.tasks.sample_peak()
        loop = self.loop_ref()
        if loop is None or not self.running or self.doctor.closing:
            self.handle = None
            return
        try:
            self.handle = loop.call_later(self.interval, self.beat)
        except RuntimeError:  # the loop is closing
            self.handle = None


class LoopWatcher:
    """Discovers loops through the hooks described in the module docstring."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.lock = threading.Lock()
        self.states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopState] = (
            weakref.WeakKeyDictionary()
        )
        self.seen = 0
        # thread id -> the loop the asyncgen-hook fallback saw start there
        self._hooked: dict[int, weakref.ref[asyncio.AbstractEventLoop]] = {}
        self._orphans: list[LoopState] = []

    def snapshot(self) -> list[LoopState]:
        with self.lock:
            return list(self.states.values())

    def take_orphans(self) -> list[LoopState]:
        """The states of loops collected since the last call (their runs still to settle)."""
        with self.lock:
            orphans, self._orphans = self._orphans, []
        return orphans

    def state_of(self, loop: asyncio.AbstractEventLoop) -> LoopState:
        with self.lock:
            state = self.states.get(loop)
            if state is None:
                state = LoopState(self.doctor, loop, self.doctor.options.beat)
                self.states[loop] = state
                self.seen += 1
                # The state leaves `states` with its loop; what the watchdog was
                # in the middle of measuring must not leave with it.
                finalizer = weakref.finalize(loop, self._collected, state)
                finalizer.atexit = False
        return state

    def _collected(self, state: LoopState) -> None:
        # Any thread, at any point (the garbage collector): only note it.
        if state.running:
            state.running = False
            state.stopped_at = _monotonic()
        state.handle = None
        with self.lock:
            self._orphans.append(state)

    def loop_started(self, loop: asyncio.AbstractEventLoop, driver: FrameType | None) -> None:
        state = self.state_of(loop)
        if state.running:
            return
        if not state.attached:
            state.attached = True
            self.doctor.attach_loop(loop)
        state.started(loop, driver)

    def loop_stopped(self, loop: asyncio.AbstractEventLoop | None) -> None:
        if loop is None:
            return
        with self.lock:
            state = self.states.get(loop)
        if state is not None:
            state.stopped()

    # -- the hooks --------------------------------------------------------------

    def install(self) -> None:
        doctor = self.doctor
        patches = doctor.patches
        events = asyncio.events
        original = events._set_running_loop
        watcher = self

        def _set_running_loop(loop: asyncio.AbstractEventLoop | None) -> None:
            previous = events._get_running_loop() if loop is None else None
            original(loop)
            try:
                if loop is not None:
                    watcher.loop_started(loop, _driver_frame(sys._getframe(1)))
                else:
                    watcher.loop_stopped(previous)
            except Exception as exc:
                doctor.internal_error("loop discovery", exc)

        _set_running_loop.__doc__ = original.__doc__
        patches.set(events, "_set_running_loop", _set_running_loop)
        if getattr(asyncio, "_set_running_loop", None) is original:
            patches.set(asyncio, "_set_running_loop", _set_running_loop)

        original_hooks = sys.set_asyncgen_hooks

        def set_asyncgen_hooks(*args: Any, **kwargs: Any) -> None:
            original_hooks(*args, **kwargs)
            try:
                watcher._asyncgen_hooks_set(
                    kwargs.get("firstiter", args[0] if args else None), sys._getframe(1)
                )
            except Exception as exc:
                doctor.internal_error("loop discovery", exc)

        set_asyncgen_hooks.__doc__ = original_hooks.__doc__
        patches.set(sys, "set_asyncgen_hooks", set_asyncgen_hooks)

    def _asyncgen_hooks_set(self, firstiter: object, caller: FrameType | None) -> None:
        tid = threading.get_ident()
        loop = getattr(firstiter, "__self__", None)
        if isinstance(loop, asyncio.AbstractEventLoop):
            self._hooked[tid] = weakref.ref(loop)
            self.loop_started(loop, caller)
            return
        ref = self._hooked.pop(tid, None)
        previous = ref() if ref is not None else None
        if previous is not None:
            self.loop_stopped(previous)

    def detach_all(self) -> None:
        for state in self.snapshot():
            loop = state.loop_ref()
            state.running = False
            handle, state.handle = state.handle, None
            if loop is None or handle is None or loop.is_closed():
                continue
            try:
                if state.thread_id == threading.get_ident():
                    handle.cancel()
                else:
                    loop.call_soon_threadsafe(handle.cancel)
            except RuntimeError:
                continue


def _driver_frame(caller: FrameType) -> FrameType:
    """The frame that runs the loop and stays alive while it runs.

    On 3.12+ asyncio sets the running loop from ``_run_forever_setup``, which
    returns before the loop runs: its frame is gone (and its id free for reuse
    by a coroutine's frame) while the loop runs, so the driver is its caller.
    """
    if caller.f_code.co_name == "_run_forever_setup" and caller.f_back is not None:
        return caller.f_back
    return caller
