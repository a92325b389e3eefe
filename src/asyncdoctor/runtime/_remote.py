"""A snapshot of another Python process's tasks, read from outside (CPython 3.14+).

Python 3.14 can read a running process's asyncio tasks and their await
graph from its memory, without running anything in it (what ``python -m
asyncio ps PID`` prints): ``asyncio.tools.get_all_awaited_by(pid)``, and the
threads' current stacks with ``_remote_debugging.RemoteUnwinder``.  It needs
the right to trace the process (the same user and a ptrace scope that
allows it, or ``CAP_SYS_PTRACE``) and the same Python version on both
sides.  Verified on CPython 3.14.10 and 3.15.2, where
``get_all_awaited_by`` returns, per thread, ``AwaitedInfo(thread_id,
awaited_by=[TaskInfo(task_id, task_name, coroutine_stack=[CoroInfo(call_stack,
task_name)], awaited_by=[CoroInfo...])])`` with frames
``FrameInfo(filename, lineno, funcname)``, innermost first (3.15: the line in
``FrameInfo.location.lineno``, and the threads' stacks grouped by interpreter,
``InterpreterInfo(interpreter_id, threads)``).  Any other shape
raises :class:`RemoteError` with what was missing, never a partial answer.

What it cannot know (nothing of the doctor runs there): loop utilization and
lag, task ages, creation sites, findings.  They are ``None`` in the
snapshot, which says how it was taken (``"source": "remote"``).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import Any

__all__ = ["RemoteError", "remote_snapshot"]

_HELP = "https://docs.python.org/3/howto/remote_debugging.html#permission-requirements"


class RemoteError(Exception):
    """The process could not be read (one line, for the user)."""


def _frames(call_stack: Any) -> list[dict[str, object]]:
    """Frames innermost first (as read) -> JSON frames outermost first."""
    out = []
    for frame in call_stack:
        line = getattr(frame, "lineno", None)
        if line is None:  # 3.15: a LocationInfo
            line = getattr(getattr(frame, "location", None), "lineno", None)
        out.append({"path": str(frame.filename), "line": int(line or 0),
                    "function": str(frame.funcname)})
    out.reverse()
    return out


def remote_snapshot(pid: int) -> dict[str, object]:
    """The tasks of process ``pid`` and what they await, in the snapshot JSON shape."""
    if sys.version_info < (3, 14):
        raise RemoteError(
            f"reading another process needs Python 3.14 or later (this is "
            f"{sys.version.split()[0]}); run the program under `asyncdoctor run --live` instead"
        )
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise RemoteError(f"no process {pid}") from None
    except PermissionError:
        raise RemoteError(
            f"process {pid} belongs to another user: asyncdoctor only reads your own processes"
        ) from None
    try:  # (by name: the type checker of an older Python does not know them)
        tools: Any = importlib.import_module("asyncio.tools")
        unwinder: Any = importlib.import_module("_remote_debugging").RemoteUnwinder
    except (ImportError, AttributeError) as exc:
        raise RemoteError(f"this Python cannot read other processes ({exc})") from None
    try:
        awaited = tools.get_all_awaited_by(pid)
        threads = unwinder(pid).get_stack_trace()
    except PermissionError:
        raise RemoteError(
            f"not allowed to read process {pid} (ptrace): run as its user with ptrace allowed "
            f"(/proc/sys/kernel/yama/ptrace_scope 0, or CAP_SYS_PTRACE), see {_HELP}; or run the "
            "program under `asyncdoctor run --live`"
        ) from None
    except (RuntimeError, OSError) as exc:
        while exc.__context__ is not None and isinstance(exc.__context__, Exception):
            exc = exc.__context__
        raise RemoteError(f"cannot read process {pid}: {exc} (is it the same Python version, "
                          f"{sys.version_info.major}.{sys.version_info.minor}?)") from None
    try:
        return _shape(pid, awaited, threads)
    except (AttributeError, TypeError, ValueError) as exc:
        raise RemoteError(
            f"this Python's remote-reading answers are not the shape asyncdoctor knows ({exc}); "
            "run the program under `asyncdoctor run --live` instead"
        ) from None


def _shape(pid: int, awaited: Any, threads: Any) -> dict[str, object]:
    flat: list[Any] = []
    for item in threads:  # 3.15: per interpreter, InterpreterInfo(interpreter_id, threads)
        flat.extend(item.threads if hasattr(item, "threads") else [item])
    now_lines = {int(t.thread_id): _frames(t.frame_info) for t in flat}
    loops: list[dict[str, object]] = []
    tasks: list[dict[str, object]] = []
    for info in awaited:
        thread = int(info.thread_id)
        if not info.awaited_by:
            continue
        label = f"thread {thread}"
        current = now_lines.get(thread) or []
        loops.append({
            "label": label, "class": None, "thread_id": thread, "running": True,
            "run_seconds": None, "utilization": None, "utilization_method": None, "lag": None,
            "cpu_seconds": None, "tasks": len(info.awaited_by), "current_task": None,
            "blocked_for": None, "blocked_at": current[-1] if current else None,
        })
        for task in info.awaited_by:
            stack: list[dict[str, object]] = []
            for coro in task.coroutine_stack:
                stack = _frames(coro.call_stack) + stack
            awaiters = sorted({int(c.task_name) for c in task.awaited_by if isinstance(c.task_name, int)})
            tasks.append({
                "id": int(task.task_id), "name": str(task.task_name),
                "coroutine": str(stack[0]["function"]) if stack else "?",
                "loop": label, "state": "pending", "age": None, "age_exact": False,
                "stack": stack[-16:], "waits_on": str(stack[-1]["function"]) if stack else "",
                "awaited_by": awaiters, "created_at": None,
            })
    return {
        "version": 1, "source": "remote", "pid": pid, "python": sys.version.split()[0],
        "taken_at": time.time(), "threshold": None, "loops": loops, "tasks": tasks,
        "tasks_left_out": 0, "findings": [], "unavailable": {
            "loop health, ages and findings": "read from outside the process: only the doctor "
            "inside it (`asyncdoctor run --live`) knows them",
        },
    }
