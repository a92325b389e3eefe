"""Finding, in the program's code, the line that created an object.

Used when the creation site was not recorded at run time (recording it for
every coroutine or task costs more than the doctor may; see
:mod:`._options`).  Everything here reads code objects with :mod:`dis` and
looks up names in module globals and classes with
:func:`inspect.getattr_static`: no user code runs, no frame's locals are
touched (``frame.f_locals`` would keep objects alive longer and change when
the program's own finalisers run).
"""

from __future__ import annotations

import builtins
import dis
import inspect
import linecache
import sys
import types
from types import CodeType, FrameType
from typing import Any

from ._frames import frame_data, is_user_file
from ._models import Frame

__all__ = ["find_creation", "guess_task_creation", "user_frame"]

_LOAD_OPS = frozenset(
    {
        "LOAD_GLOBAL",
        "LOAD_NAME",
        "LOAD_ATTR",
        "LOAD_METHOD",
        "LOAD_DEREF",
        "LOAD_FAST",
        "LOAD_CLASSDEREF",
    }
)


_LINES_CACHE: dict[tuple[CodeType, frozenset[str]], tuple[int, ...]] = {}


def _lines_loading(code: CodeType, names: frozenset[str]) -> tuple[int, ...]:
    """Lines of ``code`` (nested code included) that load one of ``names``."""
    key = (code, names)
    cached = _LINES_CACHE.get(key)
    if cached is not None:
        return cached
    lines: set[int] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        for instruction in dis.get_instructions(current):
            if instruction.opname in _LOAD_OPS and instruction.argval in names:
                line = instruction.positions.lineno if instruction.positions else None
                if line is not None:
                    lines.add(line)
        stack.extend(c for c in current.co_consts if isinstance(c, CodeType))
    result = tuple(sorted(lines))
    if len(_LINES_CACHE) < 4096:
        _LINES_CACHE[key] = result
    return result


def _callees_on_line(frame: FrameType) -> list[CodeType]:
    """Code of the functions a frame calls on its current line, when found without side effects."""
    code = frame.f_code
    line = frame.f_lineno
    found: list[CodeType] = []
    g = frame.f_globals
    attr_names: list[str] = []
    for instruction in dis.get_instructions(code):
        position = instruction.positions.lineno if instruction.positions else None
        if position != line or instruction.opname not in _LOAD_OPS:
            continue
        name = instruction.argval
        if not isinstance(name, str):
            continue
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            value = g.get(name, getattr(builtins, name, None))
            target = _code_of(value)
            if target is not None:
                found.append(target)
        elif instruction.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            attr_names.append(name)
    if attr_names:
        for value in list(g.values()):
            if isinstance(value, (type, types.ModuleType)):
                for name in attr_names:
                    try:
                        target = _code_of(inspect.getattr_static(value, name))
                    except AttributeError:
                        continue
                    if target is not None and is_user_file(target.co_filename):
                        found.append(target)
    return found


def _code_of(value: object) -> CodeType | None:
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    code = getattr(value, "__code__", None)
    return code if isinstance(code, CodeType) else None


def user_frame(frame: FrameType | None) -> FrameType | None:
    while frame is not None:
        if is_user_file(frame.f_code.co_filename):
            return frame
        frame = frame.f_back
    return None


def find_creation(frame: FrameType, names: frozenset[str]) -> tuple[Frame, bool]:
    """Where an object dropped while ``frame`` ran was most likely created.

    Returns the frame and whether we believe it is the creation line.
    """
    code = frame.f_code
    current = frame.f_lineno
    lines = _lines_loading(code, names)
    if current in lines:
        return Frame(code.co_filename, current, code.co_name), True
    for callee in _callees_on_line(frame):
        callee_lines = _lines_loading(callee, names)
        if callee_lines:
            return Frame(callee.co_filename, callee_lines[0], callee.co_name), True
    if lines:
        before = [line for line in lines if line <= current]
        return Frame(code.co_filename, before[-1] if before else lines[0], code.co_name), True
    return frame_data(frame), False


_SPAWNERS = frozenset(
    {
        "create_task",
        "ensure_future",
        "gather",
        "start_soon",
        "run_coroutine_threadsafe",
        "shield",
        "wait_for",
    }
)


_COMPILED: dict[str, CodeType | None] = {}


def _compiled(filename: str) -> CodeType | None:
    """The module code of a source file, compiled afresh (the module may be gone)."""
    if filename in _COMPILED:
        return _COMPILED[filename]
    code: CodeType | None = None
    try:
        source = "".join(linecache.getlines(filename))
        if source:
            code = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError):
        code = None
    if len(_COMPILED) < 256:
        _COMPILED[filename] = code
    return code


def _user_codes(files: tuple[str, ...] = ()) -> list[CodeType]:
    """Code objects of the functions defined in the program's own modules.

    ``files`` are compiled from source as well: ``runpy`` removes a script's
    ``__main__`` module when it finishes, before the garbage collector
    reports the script's last tasks.
    """
    codes: list[CodeType] = []
    seen: set[int] = set()
    searched: set[str] = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        is_user = isinstance(filename, str) and is_user_file(filename)
        if not is_user and getattr(module, "__name__", None) != "__main__":
            continue
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        pending: list[Any] = list(namespace.values())
        depth = 0
        while pending and depth < 10_000:
            depth += 1
            value = pending.pop()
            if isinstance(value, type):
                if getattr(value, "__module__", None) == namespace.get("__name__"):
                    pending.extend(vars(value).values())
                continue
            code = _code_of(value)
            if code is None or id(code) in seen or not is_user_file(code.co_filename):
                continue
            seen.add(id(code))
            codes.append(code)
            searched.add(code.co_filename)
    for filename in files:
        if filename in searched or not is_user_file(filename):
            continue
        compiled = _compiled(filename)
        if compiled is not None:
            codes.append(compiled)
    return codes


def _names_on_line(code: CodeType, line: int) -> set[str]:
    names: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        for instruction in dis.get_instructions(current):
            position = instruction.positions.lineno if instruction.positions else None
            if (
                position == line
                and instruction.opname in _LOAD_OPS
                and isinstance(instruction.argval, str)
            ):
                names.add(instruction.argval)
        stack.extend(c for c in current.co_consts if isinstance(c, CodeType))
    return names


def guess_task_creation(coro: object, code: CodeType | None = None) -> Frame | None:
    """The line that most likely made a task of ``coro``: ``create_task(name(...))``.

    Searches the functions of the program's modules for a line that loads
    the coroutine function's name and a task-spawning name
    (``create_task``, ``ensure_future``, ``gather``...) together.  ``code``
    stands for the coroutine when the task no longer holds it (an eager
    task that finished at once).
    """
    if code is None:
        code = getattr(coro, "cr_code", None)
    if not isinstance(code, CodeType):
        return None
    names = frozenset({code.co_name})
    best: list[Frame] = []
    for candidate in _user_codes((code.co_filename,)):
        for line in _lines_loading(candidate, names):
            if _names_on_line(candidate, line) & _SPAWNERS:
                best.append(Frame(candidate.co_filename, line, candidate.co_name))
    if not best:
        return None
    best.sort(key=lambda frame: (frame.path, frame.line))
    return best[0]
