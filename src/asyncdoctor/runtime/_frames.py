"""Which frames are the user's, and how to turn frames into :class:`Frame` data.

A frame is *user code* unless its file lies in the standard library, in a
``site-packages``/``dist-packages`` directory, in asyncdoctor itself, or is
a frozen module (``<frozen ...>``).  Code run with ``python -c`` (file
``<string>``) and from stdin is user code.  The answer is cached per file
name, so asking costs one dictionary look-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from types import CodeType, FrameType, TracebackType

from ._models import Frame

__all__ = [
    "ASYNCIO_DIR",
    "add_launcher_file",
    "caller_frame",
    "frame_data",
    "frames_from_traceback",
    "innermost_user",
    "is_internal_file",
    "is_user_file",
    "is_user_frame",
    "line_of",
    "stack_of",
]

_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
ASYNCIO_DIR = os.path.dirname(os.path.abspath(sys.modules["asyncio"].__file__ or "")) + os.sep


def _library_dirs() -> tuple[str, ...]:
    """The standard library's directory (as given and resolved).

    Found from :mod:`os`, not :mod:`sysconfig` (whose import and path
    expansion cost start-up time); ``site-packages`` and ``dist-packages``
    directories are recognised by name (``_LIB_MARKERS``).
    """
    stdlib = os.path.dirname(os.path.abspath(os.__file__))
    dirs = {stdlib + os.sep, os.path.realpath(stdlib) + os.sep}
    return tuple(sorted(dirs))


_LIB_DIRS = _library_dirs()
_LIB_MARKERS = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")
_user_cache: dict[str, bool] = {}
_internal_cache: dict[str, bool] = {}
# What launched the program, not the program: runpy (``python -m``, and the
# ``-m`` that ``asyncdoctor run`` imitates) and the ``asyncdoctor`` console
# script (see :func:`add_launcher_file`).
_LAUNCHER_FILES = {"<frozen runpy>", os.path.join(os.path.dirname(os.__file__), "runpy.py")}


def add_launcher_file(filename: str) -> None:
    """Count ``filename`` (the script that started asyncdoctor) as asyncdoctor's own."""
    path = os.path.abspath(filename)
    _LAUNCHER_FILES.add(path)
    for cache in (_internal_cache, _user_cache):
        cache.pop(filename, None)
        cache.pop(path, None)


def is_internal_file(filename: str) -> bool:
    """Whether ``filename`` belongs to asyncdoctor itself (or to what launched the program).

    Such frames are left out of stacks and never blamed.
    """
    answer = _internal_cache.get(filename)
    if answer is None:
        if filename.startswith("<"):
            answer = filename in _LAUNCHER_FILES
        else:
            path = os.path.abspath(filename)
            answer = path.startswith(_OWN_DIR) or path in _LAUNCHER_FILES
        _internal_cache[filename] = answer
    return answer


def is_user_file(filename: str) -> bool:
    """Whether ``filename`` is the user's code (see the module docstring)."""
    answer = _user_cache.get(filename)
    if answer is None:
        answer = _user_cache[filename] = _classify(filename)
    return answer


def is_user_frame(frame: FrameType) -> bool:
    """Whether ``frame`` runs the user's code.

    Code compiled from a string (``<string>``, ``<lambda>``...) counts as the
    user's only when the user's code (or nothing: ``python -c``) called it;
    called from a library, it is code the library generated (pydantic's
    validators, ``dataclasses``' ``__init__``, ``namedtuple``'s ``__new__``).
    """
    filename = frame.f_code.co_filename
    if not is_user_file(filename):
        return False
    if not filename.startswith("<"):
        return True
    caller = frame.f_back
    return caller is None or is_user_file(caller.f_code.co_filename)


def _classify(filename: str) -> bool:
    if filename.startswith("<"):
        return not filename.startswith("<frozen")
    if is_internal_file(filename):
        return False
    path = os.path.abspath(filename)
    if any(marker in path for marker in _LIB_MARKERS):
        return False
    return not path.startswith(_LIB_DIRS)


def caller_frame(depth: int) -> FrameType | None:
    """``sys._getframe(depth)`` as the caller would call it, or ``None``.

    ``None`` when the stack is not that deep: a collection run from a thread that has no
    Python frame (see ``asyncdoctor run``'s report), or from C at shutdown.
    """
    frame: FrameType | None = sys._getframe(1)
    for _ in range(depth):
        if frame is None:
            return None
        frame = frame.f_back
    return frame


def line_of(code: CodeType, lasti: int) -> int:
    """The line of the instruction at byte offset ``lasti`` in ``code``."""
    best = code.co_firstlineno
    for start, end, line in code.co_lines():
        if start <= lasti < end:
            return line if line is not None else best
        if line is not None and start <= lasti:
            best = line
    return best


def frame_data(frame: FrameType) -> Frame:
    """The :class:`Frame` of a live frame (its current line)."""
    code = frame.f_code
    return Frame(code.co_filename, frame.f_lineno or code.co_firstlineno, code.co_name)


def _frames_outward(frame: FrameType | None) -> Iterator[FrameType]:
    while frame is not None:
        yield frame
        frame = frame.f_back


def stack_of(frame: FrameType | None, limit: int) -> tuple[Frame, ...]:
    """The stack ending at ``frame``, outermost first, asyncdoctor's own frames left out.

    At most ``limit`` frames are kept: the innermost ones.
    """
    frames: list[Frame] = []
    for f in _frames_outward(frame):
        if is_internal_file(f.f_code.co_filename):
            continue
        frames.append(frame_data(f))
        if len(frames) >= limit:
            break
    frames.reverse()
    return tuple(frames)


def frames_from_traceback(tb: TracebackType | None, limit: int) -> tuple[Frame, ...]:
    """The frames a traceback went through, outermost first (innermost ``limit`` kept)."""
    frames: list[Frame] = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if not is_internal_file(code.co_filename):
            frames.append(
                Frame(code.co_filename, tb.tb_lineno or code.co_firstlineno, code.co_name)
            )
        tb = tb.tb_next
    return tuple(frames[-limit:])


def innermost_user(frames: Iterable[Frame]) -> Frame | None:
    """The innermost user frame of a stack given outermost first."""
    found: Frame | None = None
    for frame in frames:
        if is_user_file(frame.path):
            found = frame
    return found
