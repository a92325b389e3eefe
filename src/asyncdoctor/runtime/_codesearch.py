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
from collections.abc import Iterator
from types import CodeType, FrameType
from typing import Any

from ._frames import frame_data, is_user_file
from ._models import Frame

__all__ = [
    "callees_of_line",
    "find_creation",
    "guess_coroutine_creation",
    "guess_task_creation",
    "user_frame",
]

# Opcodes named LOAD_* that load no name (a constant, a class builder, a cell to close over).
_NOT_NAME_LOADS = frozenset(
    {
        "LOAD_ASSERTION_ERROR",
        "LOAD_BUILD_CLASS",
        "LOAD_CLOSURE",
        "LOAD_COMMON_CONSTANT",
        "LOAD_CONST",
        "LOAD_LOCALS",
        "LOAD_SMALL_INT",
        "LOAD_SPECIAL",
    }
)


def _loaded_names(instruction: dis.Instruction) -> tuple[str, ...]:
    """The names an instruction loads (global, local, cell, attribute), whatever the version.

    Every version has its own opcodes: ``LOAD_METHOD`` (3.11), ``LOAD_FAST_CHECK`` and
    ``LOAD_SUPER_ATTR`` (3.12), fused ``LOAD_FAST_LOAD_FAST`` and ``STORE_FAST_LOAD_FAST``
    (3.13, two names in one), ``LOAD_FAST_BORROW`` (3.14)...; all are ``LOAD_*`` but a few
    that load no name, so the rule is by prefix, not by list.
    """
    opname = instruction.opname
    argval = instruction.argval
    if opname.startswith("LOAD_") and opname not in _NOT_NAME_LOADS:
        if isinstance(argval, str):
            return (argval,)
        if isinstance(argval, tuple):
            return tuple(name for name in argval if isinstance(name, str))
    elif opname == "STORE_FAST_LOAD_FAST" and isinstance(argval, tuple) and len(argval) == 2:
        return (argval[1],) if isinstance(argval[1], str) else ()
    return ()


_LINES_CACHE: dict[tuple[CodeType, frozenset[str]], tuple[int, ...]] = {}


def _instructions(code: CodeType) -> Iterator[tuple[int | None, dis.Instruction]]:
    """Every instruction of ``code`` and of the code nested in it, with its line."""
    stack = [code]
    while stack:
        current = stack.pop()
        for instruction in dis.get_instructions(current):
            yield (instruction.positions.lineno if instruction.positions else None), instruction
        stack.extend(c for c in current.co_consts if isinstance(c, CodeType))


def _lines_loading(code: CodeType, names: frozenset[str]) -> tuple[int, ...]:
    """Lines of ``code`` (nested code included) that load one of ``names``."""
    key = (code, names)
    cached = _LINES_CACHE.get(key)
    if cached is not None:
        return cached
    lines = {
        line
        for line, instruction in _instructions(code)
        if line is not None and not names.isdisjoint(_loaded_names(instruction))
    }
    result = tuple(sorted(lines))
    if len(_LINES_CACHE) < 4096:
        _LINES_CACHE[key] = result
    return result


def _callees_on_line(frame: FrameType) -> list[CodeType]:
    """Code of the functions a frame calls on its current line, when found without side effects."""
    return callees_of_line(frame.f_code, frame.f_lineno or 0, frame.f_globals)


def callees_of_line(code: CodeType, line: int, g: dict[str, Any]) -> list[CodeType]:
    """Code of the functions that ``code`` calls on ``line``, found without running anything.

    Names loaded as globals are looked up in ``g``; attribute names (``self.flush``,
    ``board.top``) in the classes and modules of ``g``, user code only.
    """
    found: list[CodeType] = []
    attr_names: list[str] = []
    for instruction in dis.get_instructions(code):
        position = instruction.positions.lineno if instruction.positions else None
        if position != line:
            continue
        name = instruction.argval
        if not isinstance(name, str) or not _loaded_names(instruction):
            continue
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            value = g.get(name, getattr(builtins, name, None))
            target = _code_of(value)
            if target is not None:
                found.append(target)
        elif instruction.opname in ("LOAD_ATTR", "LOAD_METHOD") or "SUPER" in instruction.opname:
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
    for position, instruction in _instructions(code):
        if position == line:
            names.update(_loaded_names(instruction))
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


# An ``await`` compiles to GET_AWAITABLE (3.11-3.15); ``async for``/``async with`` to these.
_AWAIT_OPS = frozenset({"GET_AWAITABLE", "GET_ANEXT", "BEFORE_ASYNC_WITH", "END_ASYNC_FOR"})


def _lines_awaiting(code: CodeType) -> set[int]:
    return {
        line
        for line, instruction in _instructions(code)
        if line is not None and instruction.opname in _AWAIT_OPS
    }


def guess_coroutine_creation(code: CodeType) -> Frame | None:
    """The line that most likely created a never-awaited coroutine of ``code``'s function.

    For a coroutine collected while no frame of the program ran (in a reference cycle,
    found by a collection at exit): a line of the program's code that calls the
    coroutine function without awaiting it there.  Only an unambiguous answer is given.
    """
    names = frozenset({code.co_name})
    found: list[Frame] = []
    for candidate in _user_codes((code.co_filename,)):
        awaited = _lines_awaiting(candidate)
        for line in _lines_loading(candidate, names):
            if line not in awaited:
                found.append(Frame(candidate.co_filename, line, candidate.co_name))
    unique = {(frame.path, frame.line): frame for frame in found}
    if len(unique) != 1:
        return None
    return next(iter(unique.values()))
