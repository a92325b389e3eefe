"""Small helpers shared by the rules."""

from __future__ import annotations

import ast
import re

from .._analysis import CallSite, FileSummary, FunctionContext
from .._index import ProjectIndex, ProjectReport, Value
from .._refs import LibMethod, LibName, lib_mro, split_ref

__all__ = [
    "display_name",
    "dotted_name",
    "in_test_code",
    "is_test_module",
    "name_of",
    "short_source",
    "site_report",
    "spawns_task",
]


def display_name(index: ProjectIndex, value: Value) -> str:
    """How to name a callee in a message: ``Client.fetch``, ``requests.get``."""
    return index.short_name(value)


def site_report(summary: FileSummary, code: str, site: CallSite, message: str,
                chain: tuple[str, ...] = ()) -> ProjectReport:
    return ProjectReport(summary.path, code, site.line, site.col, site.end_line, site.end_col, message, chain)


def dotted_name(node: ast.AST) -> str | None:
    """``self.stats.retries`` as a string (without recursion); ``None`` for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def is_test_module(module: str) -> bool:
    """Whether a dotted module name is test code (``tests.x``, ``test_x``, ``x_test``, conftest)."""
    for part in module.split("."):
        if part in ("test", "tests", "testing", "conftest") or part.startswith("test_") or (
            part.endswith(("_test", "_tests"))
        ):
            return True
    return False


#: Folders that hold copies of other projects' code (``redbot/vendored/discord/ext/menus``,
#: ``pip/_vendor``, ``third_party``).
_VENDORED = frozenset({"vendor", "vendored", "_vendor", "_vendored", "third_party", "thirdparty", "_third_party"})


def is_vendored_module(module: str) -> bool:
    """Whether a dotted module name lies in a folder of code copied from another project."""
    return not _VENDORED.isdisjoint(module.split("."))


def in_test_code(fn: FunctionContext) -> bool:
    """Whether a function is test code: in a test module, or a ``test*`` function or class."""
    if is_test_module(fn.module):
        return True
    return any(part.startswith("test") for part in fn.info.qualname.split("."))


_SPAWNERS = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_LOOP_TYPES = frozenset({"asyncio.AbstractEventLoop", "asyncio.BaseEventLoop", "uvloop.Loop"})


def spawns_task(value: Value | None, ref: str) -> bool:
    """Whether a call creates a free-standing task (not one owned by a task group)."""
    if isinstance(value, LibName) and value.name.startswith("?"):
        value = None  # an object of unknown type (see _analysis: "?name.method")
    if isinstance(value, LibName):
        return value.name in _SPAWNERS
    if isinstance(value, LibMethod):
        if value.attr not in ("create_task", "ensure_future"):
            return False
        return any(t in _LOOP_TYPES for t in lib_mro(value.type))
    if value is None:
        # An event loop of unknown type: ``self._loop.create_task(...)``.
        segments = split_ref(ref)
        return (
            len(segments) >= 2
            and segments[-1] == "create_task"
            and segments[-2].rstrip("()").lower().endswith("loop")
        )
    return False


def name_of(node: ast.AST) -> str | None:
    """The name a ``Name`` or ``Attribute`` ends with (``a.b.c`` -> ``c``); None otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def short_source(node: ast.AST, fallback: str, limit: int) -> str:
    """An expression as source text, cut to ``limit`` characters, for messages."""
    try:
        text = ast.unparse(node)
    except RecursionError:  # absurdly deep expressions
        return fallback
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


_SOURCE_CACHE: list[tuple[int, list[str] | None]] = []


def source_lines(fn: FunctionContext) -> list[str] | None:
    """The checked file's lines, for its comments (read again from disk when the analysis
    kept none: the summary keeps no comments); ``None`` when they cannot be read."""
    analysis = getattr(fn, "_analysis", None)
    key = id(analysis)
    if _SOURCE_CACHE and _SOURCE_CACHE[0][0] == key:
        return _SOURCE_CACHE[0][1]
    lines: list[str] | None = getattr(analysis, "lines", None)
    if lines is None:
        try:
            with open(fn.summary.path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except (OSError, ValueError):
            lines = None
    _SOURCE_CACHE[:] = [(key, lines)]
    return lines


def comment_says(fn: FunctionContext, first: int, last: int, pattern: re.Pattern[str]) -> bool:
    """Whether a comment on lines ``first``..``last`` of the file matches ``pattern``."""
    lines = source_lines(fn)
    if not lines or first < 1:
        return False
    for number in range(first, min(last, len(lines)) + 1):
        text = lines[number - 1]
        hash_at = text.find("#")
        if hash_at >= 0 and pattern.search(text[hash_at:]):
            return True
    return False
