"""Which call held the GIL, when CPython 3.14+ let go of it only later.

The watchdog sees a step that holds the GIL (``sorted`` of a big list, a long regex) only
when the loop thread gives the GIL up, at the interpreter's next *check point*.  Up to
3.13 every call is followed by one, so the frame the watchdog sees is on the call's line.
From 3.14 a call made with keyword arguments (``CALL_KW``) is followed by a check point
only once it has been *specialised*, which happens the second time it runs (measured on
CPython 3.14.10 and 3.15.2).  The first time ``sorted(scores, reverse=True)`` runs, the
watchdog sees the next check point instead: a later line, a caller, or asyncio's own code
once the task has finished.

So when the watchdog could not look for a while (it was *starved*), this module looks,
before the line it sees, for a keyword call that has run once and not been specialised
yet, which is what that call looks like right after its first run: on the lines leading
to the current instruction of the frame (stopping at the first check point behind it),
and in the coroutines awaited there, which may have returned since.  It reads the
interpreter's adaptive bytecode (``dis.get_instructions(adaptive=True)``) and its
specialisation counter, an internal: the counter's starting value is read from a fresh
function, not assumed, and where the layout is not the one described (not 3.14 or 3.15,
no counter) the search gives up and the line seen stands.
"""

from __future__ import annotations

import dis
import sys
from types import CodeType, FrameType
from typing import Any

from ._codesearch import callees_of_line
from ._frames import is_user_file
from ._models import Frame

__all__ = ["first_run_call", "first_run_call_in"]

# Instructions after which the interpreter checks for a request to give up the GIL (and
# which, run since the starvation began, would have let the watchdog look then).
_CHECKS = ("JUMP_BACKWARD", "RESUME", "CALL", "CALL_FUNCTION_EX")
_AWAIT_ENDS = frozenset({"END_SEND", "SEND"})
_MAX_DEPTH = 3


def _counter_of(instruction: dis.Instruction) -> bytes | None:
    for name, _size, data in getattr(instruction, "cache_info", None) or ():
        if name == "counter":
            return bytes(data)
    return None


def _initial_counter() -> bytes | None:
    """The specialisation counter of a ``CALL_KW`` that never ran, on this interpreter."""
    if sys.version_info < (3, 14):
        return None
    namespace: dict[str, Any] = {}
    exec(compile("def probe(f):\n    return f(a=1)\n", "<probe>", "exec"), namespace)
    for instruction in dis.get_instructions(namespace["probe"], adaptive=True):
        if instruction.opname == "CALL_KW":
            return _counter_of(instruction)
    return None


_UNREAD = b"?"
_initial: bytes | None = _UNREAD  # read on first use: it compiles code, a cost at start-up


def _initial_value() -> bytes | None:
    global _initial
    if _initial == _UNREAD:
        try:
            _initial = _initial_counter()
        except Exception:
            _initial = None
    return _initial


def _ran_once(instruction: dis.Instruction) -> bool:
    """A keyword call that ran and has not been specialised yet: its first run."""
    initial = _initial_value()
    if instruction.opname != "CALL_KW" or initial is None:
        return False
    counter = _counter_of(instruction)
    return counter is not None and counter != initial


def _is_check(instruction: dis.Instruction) -> bool:
    name = instruction.opname
    if name == "JUMP_BACKWARD_NO_INTERRUPT":
        return False
    return name.startswith(_CHECKS) and name != "CALL_KW"


def first_run_call(frame: FrameType) -> Frame | None:
    """The first-run keyword call that ``frame``'s current check point came after, if any."""
    if _initial_value() is None:
        return None
    code = frame.f_code
    try:
        instructions = list(dis.get_instructions(code, adaptive=True, show_caches=False))
    except Exception:
        return None
    lasti = frame.f_lasti
    before = [ins for ins in instructions if ins.offset < lasti]
    for index in range(len(before) - 1, -1, -1):
        instruction = before[index]
        following = before[index + 1] if index + 1 < len(before) else None
        if following is not None and following.opname == "GET_AWAITABLE":
            # `await f()`: calling a coroutine function only makes the coroutine; its
            # body, and the check point at its start, run at the await, later
            continue
        if _ran_once(instruction):
            return _frame_of(code, instruction)
        if instruction.opname in _AWAIT_ENDS:
            # An await finished in this step: what it awaited ran (and returned) in it.
            line = instruction.positions.lineno if instruction.positions else None
            if line is None:
                return None
            found = {
                site
                for callee in callees_of_line(code, line, frame.f_globals)
                for site in _sites_in(callee, 1)
            }
            return found.pop() if len(found) == 1 else None
        if _is_check(instruction):
            return None
    return None


def first_run_call_in(code: CodeType) -> Frame | None:
    """The one first-run keyword call in ``code`` (a coroutine that finished), if only one."""
    if _initial_value() is None:
        return None
    found = set(_sites_in(code, 0))
    return found.pop() if len(found) == 1 else None


def _sites_in(code: CodeType, depth: int) -> list[Frame]:
    """First-run keyword calls in ``code`` and in the user code it awaits (a few levels)."""
    if not is_user_file(code.co_filename):
        return []
    try:
        instructions = list(dis.get_instructions(code, adaptive=True, show_caches=False))
    except Exception:
        return []
    sites = [_frame_of(code, ins) for ins in instructions if _ran_once(ins)]
    if depth >= _MAX_DEPTH:
        return sites
    globals_of = _globals_of(code)
    awaited = {
        ins.positions.lineno
        for ins in instructions
        if ins.opname == "GET_AWAITABLE" and ins.positions and ins.positions.lineno
    }
    for line in sorted(awaited):
        for callee in callees_of_line(code, line, globals_of):
            sites.extend(_sites_in(callee, depth + 1))
    return sites


def _globals_of(code: CodeType) -> dict[str, Any]:
    """The globals of the module that defines ``code`` (empty if it is not loaded)."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == code.co_filename:
            namespace = getattr(module, "__dict__", None)
            if isinstance(namespace, dict):
                return namespace
    main = sys.modules.get("__main__")
    namespace = getattr(main, "__dict__", None)
    if isinstance(namespace, dict) and namespace.get("__file__") in (code.co_filename, None):
        return namespace
    return {}


def _frame_of(code: CodeType, instruction: dis.Instruction) -> Frame:
    line = instruction.positions.lineno if instruction.positions else None
    return Frame(code.co_filename, line or code.co_firstlineno, code.co_name)
