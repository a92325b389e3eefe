"""Stage 1: the per-file summary.

:func:`analyse_source` parses one file and walks it once, writing down:

* the module's top-level names and what they refer to (imports resolved,
  relative imports made absolute);
* for every function (and the module body, as the pseudo-function
  ``<module>``): whether it is ``async``, its decorators, its return
  annotation, and every call it makes *on its own frame* (calls inside
  nested functions and lambdas belong to those), with the callee as a
  symbolic reference (see :mod:`._refs`) and how the call's value is used;
* for every class: its bases and the types of its attributes learnt from
  ``self.x = Cls()``, annotations and class-level assignments;
* the findings of the rules that only need this one file;
* the ``# noqa`` comments.

The result is a :class:`FileSummary`: plain data, cheap to cache as JSON and
to send between processes.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _knowledge as kb
from ._refs import ENTER, LibObject, LibValue, eval_lib, in_table, tuple_element_refs

__all__ = [
    "TEMPLATE_NODES",
    "TEMPLATE_STRINGS",
    "CallSite",
    "ClassInfo",
    "FileSummary",
    "FuncInfo",
    "FunctionContext",
    "Report",
    "Usage",
    "analyse_source",
    "iter_scope",
    "parse_module",
]

_BUILTINS = frozenset(dir(builtins))


class Usage:
    """How the value of a call is used (an int, to keep summaries small)."""

    VALUE = 0  # passed on, stored, returned, assigned and used: nothing known
    AWAITED = 1  # ``await f()`` (also ``async with f()``/``async for``)
    DISCARDED = 2  # an expression statement: the value is dropped
    MISUSED = 3  # used as a plain value where an awaited result was meant
    UNUSED_NAME = 4  # assigned to a local name that is never used
    YIELDED = 5  # ``yield f()`` / ``return f()``: handed to the caller


@dataclass(slots=True)
class CallSite:
    """One call made by a function, with its callee as a symbolic reference."""

    ref: str
    line: int
    col: int
    end_line: int
    end_col: int
    usage: int = Usage.VALUE
    in_loop: bool = False
    # Whether the call runs only on some paths through its function: in a branch
    # of an ``if``/``match``, an ``except`` handler, the right of ``and``/``or``,
    # or a branch of ``x if c else y`` (the checker's evidence is weaker there).
    guarded: bool = False
    # Constant arguments: (keyword or positional index, value), for calls that
    # block only with some arguments (``queue.get(block=False)`` does not).
    consts: tuple[tuple[str | int, Any], ...] = ()

    def to_list(self) -> list[Any]:
        out: list[Any] = [self.ref, self.line, self.col, self.end_line, self.end_col, self.usage]
        if self.in_loop or self.consts or self.guarded:
            out.append(int(self.in_loop) | (2 if self.guarded else 0))
        if self.consts:
            out.append([list(c) for c in self.consts])
        return out

    @classmethod
    def from_list(cls, data: list[Any]) -> CallSite:
        site = cls(data[0], data[1], data[2], data[3], data[4], data[5])
        if len(data) > 6:
            site.in_loop = bool(data[6] & 1)
            site.guarded = bool(data[6] & 2)
        if len(data) > 7:
            site.consts = tuple((k, v) for k, v in data[7])
        return site


@dataclass(slots=True)
class FuncInfo:
    """What the rest of the project needs to know about one function."""

    qualname: str
    name: str
    is_async: bool
    line: int
    col: int
    cls: str | None = None
    kind: str = "function"  # function | method | staticmethod | classmethod | property | module
    decorators: tuple[str, ...] = ()
    returns: str | None = None
    is_generator: bool = False
    offloaded: bool = False  # decorated so that calling it runs the body in a thread
    uses_limiter: bool = False
    calls: list[CallSite] = field(default_factory=list)
    # Shareable clients/pools this function creates: (label, line, col, end_line, end_col).
    creates: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    # For ADC502 (rules/unbounded_concurrency.py), which decides in the project stage:
    # whether the function itself sends requests or opens connections, and its fan-out
    # sites, each [line, col, end_line, end_col, message, [callee refs], local_io].
    does_io: bool = False
    #: Whether the function's own body (not a nested function's) has an ``await``,
    #: ``async for`` or ``async with``: a coroutine without one runs to its end in one step.
    suspends: bool = False
    #: Whether an ``async def``'s whole body (or the body of its ``while`` loop) is one
    #: ``try`` whose handler catches every ``Exception`` and does not re-raise: what goes
    #: wrong in it is handled there (a dropped task of it loses no error).
    handles_errors: bool = False
    fanouts: list[list[Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"n": self.name, "a": int(self.is_async), "l": self.line, "c": self.col}
        if self.cls is not None:
            d["k"] = self.cls
        if self.kind != "function":
            d["t"] = self.kind
        if self.decorators:
            d["d"] = list(self.decorators)
        if self.returns is not None:
            d["r"] = self.returns
        if self.is_generator:
            d["g"] = 1
        if self.offloaded:
            d["o"] = 1
        if self.uses_limiter:
            d["u"] = 1
        if self.calls:
            d["s"] = [c.to_list() for c in self.calls]
        if self.creates:
            d["x"] = [list(c) for c in self.creates]
        if self.suspends:
            d["w"] = 1
        if self.does_io:
            d["i"] = 1
        if self.fanouts:
            d["f"] = self.fanouts
        if self.handles_errors:
            d["e"] = 1
        return d

    @classmethod
    def from_dict(cls, qualname: str, d: dict[str, Any]) -> FuncInfo:
        return cls(
            qualname=qualname,
            name=d["n"],
            is_async=bool(d["a"]),
            line=d["l"],
            col=d["c"],
            cls=d.get("k"),
            kind=d.get("t", "function"),
            decorators=tuple(d.get("d", ())),
            returns=d.get("r"),
            is_generator=bool(d.get("g")),
            offloaded=bool(d.get("o")),
            uses_limiter=bool(d.get("u")),
            calls=[CallSite.from_list(c) for c in d.get("s", ())],
            creates=[(c[0], c[1], c[2], c[3], c[4]) for c in d.get("x", ())],
            does_io=bool(d.get("i")),
            handles_errors=bool(d.get("e")),
            suspends=bool(d.get("w")),
            fanouts=list(d.get("f", ())),
        )


#: What a typed container holds: (what iterating it gives, what its ``values()`` give).
#: A held reference that starts with ``*`` is itself a container of what follows
#: (``dict[str, set[WebSocketResponse]]`` holds ``*aiohttp.web.WebSocketResponse``).
Items = tuple[str | None, str | None]
NESTED = "*"


@dataclass(slots=True)
class ClassInfo:
    """A class: its bases (references) and attribute types (references)."""

    qualname: str
    bases: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)  # name -> function qualname
    #: What attributes that are typed containers hold (see ``Items``): ``self.meters:
    #: list[Meter]``, ``self.by_name = {m.name: m for m in meters}``.
    items: dict[str, Items] = field(default_factory=dict)
    #: Who sets each attribute after ``__init__``: ``SET_ASYNC`` when only the class's
    #: ``async def`` methods do (code on the event loop), ``SET_SYNC`` when a plain method
    #: does (it may run in a thread).
    setters: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"b": list(self.bases), "a": self.attrs, "m": self.methods}
        if self.items:
            out["i"] = {k: list(v) for k, v in self.items.items()}
        if self.setters:
            out["s"] = self.setters
        return out

    @classmethod
    def from_dict(cls, qualname: str, d: dict[str, Any]) -> ClassInfo:
        items = {k: (v[0], v[1]) for k, v in d.get("i", {}).items()}
        return cls(qualname, tuple(d["b"]), dict(d["a"]), dict(d["m"]), items, dict(d.get("s", {})))


SET_ASYNC, SET_SYNC = 1, 2


@dataclass(slots=True)
class Report:
    """A finding of a per-file rule, before it is given a path and a name."""

    code: str
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    chain: tuple[str, ...] = ()
    #: Weaker evidence: shown only with ``--preview``.
    preview: bool = False

    def to_list(self) -> list[Any]:
        out: list[Any] = [self.code, self.line, self.col, self.end_line, self.end_col, self.message]
        if self.chain or self.preview:
            out.append(list(self.chain))
        if self.preview:
            out.append(1)
        return out

    @classmethod
    def from_list(cls, data: list[Any]) -> Report:
        chain = tuple(data[6]) if len(data) > 6 else ()
        preview = bool(data[7]) if len(data) > 7 else False
        return cls(data[0], data[1], data[2], data[3], data[4], data[5], chain, preview)


@dataclass(slots=True)
class FileSummary:
    """Everything the later stages need from one file."""

    path: str
    module: str
    is_package: bool
    lines: int
    symbols: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FuncInfo] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    # line -> codes silenced on that line (an empty list silences every code)
    noqa: dict[int, list[str]] = field(default_factory=dict)
    # (kind, message, line, column) when the file could not be analysed
    error: tuple[str, str, int | None, int | None] | None = None
    # File-wide facts, e.g. "nonblocking-sockets": the file puts its sockets
    # in non-blocking mode (``sock.setblocking(False)``, ``except BlockingIOError``).
    flags: list[str] = field(default_factory=list)
    # Values stored under constant string keys (``app["db"] = Database()``): key -> the
    # value's reference, "" when the file stores values of different types under it.
    keys: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "keys": self.keys,
            "module": self.module,
            "package": self.is_package,
            "lines": self.lines,
            "symbols": self.symbols,
            "functions": {q: f.to_dict() for q, f in self.functions.items()},
            "classes": {q: c.to_dict() for q, c in self.classes.items()},
            "reports": [r.to_list() for r in self.reports],
            "noqa": {str(k): v for k, v in self.noqa.items()},
            "error": list(self.error) if self.error else None,
            "flags": self.flags,
        }

    @classmethod
    def from_dict(cls, path: str, d: dict[str, Any]) -> FileSummary:
        err = d.get("error")
        return cls(
            path=path,
            module=d["module"],
            is_package=d["package"],
            lines=d["lines"],
            symbols=d["symbols"],
            functions={q: FuncInfo.from_dict(q, f) for q, f in d["functions"].items()},
            classes={q: ClassInfo.from_dict(q, c) for q, c in d["classes"].items()},
            reports=[Report.from_list(r) for r in d["reports"]],
            noqa={int(k): v for k, v in d["noqa"].items()},
            error=(err[0], err[1], err[2], err[3]) if err else None,
            flags=list(d.get("flags", ())),
            keys=dict(d.get("keys", {})),
        )


# ---------------------------------------------------------------------------
# Scopes and name resolution

_FUNC_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNC_OR_MODULE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While)
_COMP_TYPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
#: f-strings, and from Python 3.14 t-strings (``t"..."``).
TEMPLATE_STRINGS: tuple[type[ast.AST], ...] = (
    ast.JoinedStr, *(getattr(ast, name) for name in ("TemplateStr",) if hasattr(ast, name))
)
#: ... and their fields.
TEMPLATE_NODES: tuple[type[ast.AST], ...] = (
    *TEMPLATE_STRINGS,
    ast.FormattedValue,
    *(getattr(ast, name) for name in ("Interpolation",) if hasattr(ast, name)),
)


def iter_scope(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node`` that runs in the same frame.

    Nested functions, lambdas and classes are yielded (they are defined
    here) but not entered; their decorators, default values and bases are.
    """
    stack: list[ast.AST] = list(ast.iter_child_nodes(node))
    stack.reverse()
    while stack:
        child = stack.pop()
        yield child
        if isinstance(child, _FUNC_TYPES):
            outer: list[ast.AST] = [*child.decorator_list, *child.args.defaults]
            outer.extend(d for d in child.args.kw_defaults if d is not None)
            if child.returns is not None:
                outer.append(child.returns)
            stack.extend(reversed(outer))
        elif isinstance(child, ast.Lambda):
            stack.extend(reversed(child.args.defaults))
        elif isinstance(child, ast.ClassDef):
            stack.extend(reversed([*child.decorator_list, *child.bases]))
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(child))))


def _annotation_ref(scope: Scope, node: ast.expr | None) -> str | None:
    """The type an annotation names, as an instance reference (``T()``)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
        return _annotation_ref(scope, parsed)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = _annotation_ref(scope, node.left)
        right = _annotation_ref(scope, node.right)
        if _is_none(node.right):
            return left
        if _is_none(node.left):
            return right
        return None
    if isinstance(node, ast.Subscript):
        base = scope.ref(node.value)
        if base in ("typing.Optional", "typing.Annotated"):
            inner = node.slice
            if isinstance(inner, ast.Tuple) and inner.elts:
                inner = inner.elts[0]
            return _annotation_ref(scope, inner)
        if base == "typing.Union" and isinstance(node.slice, ast.Tuple):
            refs = [_annotation_ref(scope, e) for e in node.slice.elts if not _is_none(e)]
            return refs[0] if len(refs) == 1 else None
        # A generic class: asyncio.Queue[int] is an asyncio.Queue.
        if base is None or base.startswith(("builtins.", "typing.", "collections.")):
            return None
        return base + "()"
    if isinstance(node, ast.Name | ast.Attribute):
        ref = scope.ref(node)
        if ref is None or ref.startswith(("builtins.", "typing.")):
            return None
        return ref + "()"
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None



_ABC = ("typing.", "collections.abc.")
#: Generic containers whose first type argument is what iterating them gives.
_SEQUENCES = frozenset(
    [f"builtins.{n}" for n in ("list", "set", "frozenset")]
    + ["collections.deque", "typing.List", "typing.Set", "typing.FrozenSet", "typing.Deque"]
    + [p + n for p in _ABC for n in (
        "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection", "Set", "AbstractSet",
        "MutableSet", "AsyncIterable", "AsyncIterator", "Generator", "AsyncGenerator")]
)
#: ... and mappings, whose second is what their ``values()`` give.
_MAPPINGS = frozenset(
    ["builtins.dict", "collections.defaultdict", "collections.OrderedDict", "typing.Dict",
     "typing.DefaultDict", "typing.OrderedDict"]
    + [p + n for p in _ABC for n in ("Mapping", "MutableMapping")]
)


def annotation_items(scope: Scope, node: ast.expr | None) -> Items | None:
    """What a container annotation (``list[Meter]``, ``dict[str, Meter]``) holds."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return annotation_items(scope, ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        if _is_none(node.right):
            return annotation_items(scope, node.left)
        if _is_none(node.left):
            return annotation_items(scope, node.right)
        return None
    if not isinstance(node, ast.Subscript):
        return None
    base = scope.ref(node.value)
    args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if base == "typing.Optional" and len(args) == 1:
        return annotation_items(scope, args[0])
    if base in _SEQUENCES:
        item = _annotation_ref(scope, args[0]) or _nested(scope, args[0])
        return (item, None) if item is not None else None
    if base in ("builtins.tuple", "typing.Tuple") and args:
        if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
            args = args[:1]
        refs = {_annotation_ref(scope, a) for a in args}
        item = refs.pop() if len(refs) == 1 else None
        return (item, None) if item is not None else None
    if base in _MAPPINGS and len(args) == 2:
        key = _annotation_ref(scope, args[0])
        value = _annotation_ref(scope, args[1]) or _nested(scope, args[1])
        return (key, value) if key is not None or value is not None else None
    return None


def _nested(scope: Scope, node: ast.expr) -> str | None:
    """``*Item`` for an annotation of a container of one known type (``set[Item]``)."""
    if not isinstance(node, ast.Subscript) or scope.ref(node.value) not in _SEQUENCES:
        return None
    inner = annotation_items(scope, node)
    item = inner[0] if inner is not None else None
    return NESTED + item if item is not None and not item.startswith(NESTED) else None


def _held_container(items: Items | None) -> Items | None:
    """What one item of a container of containers holds (``*Ws`` -> iterating gives ``Ws``)."""
    if items is None:
        return None
    held = items[1] or items[0]
    if held is None or not held.startswith(NESTED):
        return None
    return (held[len(NESTED):], None)


def value_items(scope: Scope, node: ast.expr | None) -> Items | None:
    """What a built container holds: ``[Meter(h) for h in hosts]``, ``[A(), A()]``,
    ``{name: Meter(h) for ...}``."""
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        item = _call_ref(scope, node.elt) if _is_typed_value(node.elt) else None
        return (item, None) if item is not None else None
    if isinstance(node, ast.DictComp):
        value = _call_ref(scope, node.value) if _is_typed_value(node.value) else None
        return (None, value) if value is not None else None
    if isinstance(node, ast.List | ast.Tuple | ast.Set) and node.elts:
        refs = {_call_ref(scope, e) if _is_typed_value(e) else None for e in node.elts}
        item = refs.pop() if len(refs) == 1 else None
        return (item, None) if item is not None else None
    return None


class Scope:
    """Names bound in one function (or the module) and what they refer to."""

    __slots__ = (
        "bound",
        "cls",
        "cls_name",
        "flow",
        "func",
        "imports",
        "items",
        "locals",
        "module",
        "nested",
        "nonlocal_names",
        "parent",
        "self_name",
        "types",
    )

    def __init__(self, module: ModuleAnalysis, func: FuncInfo, parent: Scope | None) -> None:
        self.module = module
        self.func = func
        self.parent = parent
        self.locals: set[str] = set()
        self.bound: set[str] = set()  # locals bound by the body's statements (not parameters)
        self.types: dict[str, str | None] = {}
        self.items: dict[str, Items | None] = {}  # what typed containers in locals hold
        # While the walk is in the function's body: what each local holds at this point of
        # it, where the last assignment on every path here gave it a known type (see
        # _CallWalker); empty before and after the walk, so ``types`` answers then.
        self.flow: dict[str, str | None] = {}
        self.imports: dict[str, str] = {}
        self.nested: dict[str, str] = {}
        self.nonlocal_names: set[str] = set()
        self.cls: str | None = None
        self.self_name: str | None = None
        self.cls_name: str | None = None

    def lookup(self, name: str) -> str | None:
        flow = self.flow
        if flow and name in flow:
            return flow[name]
        scope: Scope | None = self
        while scope is not None:
            if name in scope.nonlocal_names:
                scope = scope.parent
                continue
            hit = scope.imports.get(name)
            if hit is not None:
                return hit
            hit = scope.nested.get(name)
            if hit is not None:
                return hit
            if name == scope.self_name and scope.cls is not None:
                return scope.cls + "()"
            if name == scope.cls_name and scope.cls is not None:
                return scope.cls
            if name in scope.locals:
                return scope.types.get(name)
            scope = scope.parent
        hit = self.module.symbols.get(name)
        if hit is not None:
            return hit or None
        if name in _BUILTINS:
            return "builtins." + name
        return None

    def items_of(self, name: str) -> Items | None:
        """What the container a name holds contains, where its annotation or value says."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.nonlocal_names:
                scope = scope.parent
                continue
            if name in scope.locals:
                return scope.items.get(name)
            scope = scope.parent
        return self.module.module_items.get(name)

    def ref(self, node: ast.AST) -> str | None:
        """The symbolic reference an expression evaluates to, if it has one."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.ref(node.value)
            if base is None and _state_holder(node.value):
                # ``state.db`` on a state object of unknown type: what the project keeps there
                return f"[].{node.attr}"
            return f"{base}.{node.attr}" if base is not None else None
        if isinstance(node, ast.Call):
            base = self.ref(node.func)
            return base + "()" if base is not None else None
        if isinstance(node, ast.Await):
            return self.ref(node.value)
        if isinstance(node, ast.Subscript):
            base = self.ref(node.value)
            key = str_key(node.slice)
            if key is not None:
                # an item under a constant key: what the project stores under that key, if
                # the object itself says nothing (``app["db"]``; see ProjectIndex.keys)
                return f"{base}.[]{key}" if base is not None else f"[]{key}"
            return base + ".[]" if base is not None else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            # path / "name": a pathlib.Path stays a pathlib.Path.
            base = self.ref(node.left)
            if base is not None:
                base = self.module.expand(base)
            return base + ".__truediv__()" if base is not None and base.endswith("()") else None
        return None

    def lib(self, node: ast.AST) -> LibValue | None:
        """Evaluate an expression against the library knowledge only (and what this file
        stores under string keys and on state objects: ``app.ctx.http = ClientSession()``)."""
        ref = self.ref(node)
        if ref is None:
            return None
        ref = self.module.expand(ref)
        hit = eval_lib(ref)
        if hit is None and self.module.summary.keys and ("[]" in ref or ".state." in ref or ".ctx." in ref):
            stored = _through_keys(ref, self.module.summary.keys)
            hit = eval_lib(stored) if stored is not None else None
        return hit


# ---------------------------------------------------------------------------
# The walk


class ModuleAnalysis:
    """Walks one parsed module and fills a :class:`FileSummary`."""

    def __init__(self, tree: ast.Module, summary: FileSummary, lines: list[str] | None = None,
                 siblings: frozenset[str] = frozenset()) -> None:
        self.tree = tree
        self.lines = lines
        # A module outside any package imports its folder's modules by their bare
        # names (the folder is sys.path[0]): those names get the folder's prefix.
        self.siblings = siblings
        self.sibling_prefix = summary.module.rpartition(".")[0] if siblings else ""
        self.summary = summary
        self.module = summary.module
        self.symbols = summary.symbols
        self.scopes: list[tuple[Scope, ast.AST]] = []
        # What typed containers hold: module names, and attributes by class (see Items)
        self.module_items: dict[str, Items | None] = {}
        self.class_items: dict[str, dict[str, Items | None]] = {}
        # Module constants bound to a known flag (``_NUMERIC = socket.AI_NUMERICHOST | ...``).
        self.flag_constants: dict[str, str] = {}
        # Module-level names bound to a web address (see ``_url_argument``).
        self.url_constants: set[str] = set()
        # Method calls on names of unknown type (``gh.post(...)`` on a parameter), by
        # (name, method): how each call's value is used, and whether it is in an async
        # function.  ADC201 compares them (a call dropped where the others are awaited).
        # The last item: the ``if`` branches the call is in, outermost first, as
        # (id of the ``if``, 0 in its body or 1 in its ``else``).
        self.untyped_calls: dict[tuple[str, str], list[tuple[int, ast.Call, bool, tuple[tuple[int, int], ...]]]] = {}

    # -- helpers ----------------------------------------------------------

    def flag(self, name: str) -> None:
        if name not in self.summary.flags:
            self.summary.flags.append(name)

    def col(self, lineno: int, byte_col: int) -> int:
        """A 1-based character column from ast's 0-based UTF-8 byte offset."""
        lines = self.lines
        if lines is not None and 0 < lineno <= len(lines):
            line = lines[lineno - 1]
            if not line.isascii():
                return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace")) + 1
        return byte_col + 1

    def resolve_import(self, module: str | None, level: int) -> str | None:
        if level == 0:
            if module and self.sibling_prefix and module.partition(".")[0] in self.siblings:
                return f"{self.sibling_prefix}.{module}"
            return module
        parts = self.module.split(".")
        if not self.summary.is_package:
            parts = parts[:-1]
        if level > 1:
            if level - 1 > len(parts):
                return None
            parts = parts[: len(parts) - (level - 1)]
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base or None

    def bind_import(self, node: ast.Import | ast.ImportFrom, table: dict[str, str]) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = self.resolve_import(alias.name, 0) or alias.name
                if alias.asname:
                    table[alias.asname] = target
                else:
                    head = alias.name.partition(".")[0]
                    table[head] = target[: len(target) - len(alias.name) + len(head)]
            return
        base = self.resolve_import(node.module, node.level)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            table[alias.asname or alias.name] = f"{base}.{alias.name}"

    def expand(self, ref: str) -> str:
        """Replace ``Cls().attr`` by the attribute's type where this file knows it."""
        if "()." not in ref:
            return ref
        for _ in range(4):
            head, sep, rest = ref.partition("().")
            cls = self.summary.classes.get(head)
            if not sep or cls is None:
                return ref
            attr, dot, tail = rest.partition(".")
            attr_type = cls.attrs.get(attr)
            if not attr_type:
                return ref
            ref = attr_type + dot + tail
        return ref

    # -- module level -----------------------------------------------------

    def run(self) -> None:
        mod_func = FuncInfo(f"{self.module}.<module>", "<module>", False, 1, 1, kind="module")
        self.summary.functions[mod_func.qualname] = mod_func
        scope = Scope(self, mod_func, None)
        self._collect_module_symbols(self.tree.body, scope)
        self.scopes.append((scope, self.tree))
        self._walk_function(scope, self.tree, is_module=True)
        i = 1
        while i < len(self.scopes):
            # Nested scopes are appended while walking their parents.
            child_scope, node = self.scopes[i]
            self._walk_function(child_scope, node, is_module=False)
            i += 1
        for qualname, table in self.class_items.items():
            cls = self.summary.classes.get(qualname)
            if cls is not None:
                cls.items = {k: v for k, v in table.items() if v is not None and v != (None, None)}

    def _collect_module_symbols(self, body: list[ast.stmt], scope: Scope) -> None:
        symbols = self.symbols
        for stmt in body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                table: dict[str, str] = {}
                self.bind_import(stmt, table)
                for k, v in table.items():
                    symbols.setdefault(k, v)
            elif isinstance(stmt, _DEF_TYPES):
                symbols[stmt.name] = f"{self.module}.{stmt.name}"
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = stmt.value
                for target in targets:
                    if not isinstance(target, ast.Name):
                        for name in _names_in_target(target):
                            symbols[name] = ""
                        continue
                    ref: str | None = None
                    if value is not None:
                        ref = scope.ref(value)
                        flag = _flag_argument(scope, value) if isinstance(value, ast.BinOp | ast.Attribute) else None
                        if flag is not None:
                            self.flag_constants[target.id] = flag
                        if _url_literal(value):
                            self.url_constants.add(target.id)
                    if ref is None and isinstance(stmt, ast.AnnAssign):
                        ref = _annotation_ref(scope, stmt.annotation)
                    items = annotation_items(scope, stmt.annotation) if isinstance(
                        stmt, ast.AnnAssign) else None
                    _learn_items(self.module_items, target.id, items or value_items(scope, value))
                    old = symbols.get(target.id)
                    symbols[target.id] = "" if old is not None and old != ref else (ref or "")
            elif isinstance(stmt, ast.If | ast.Try | ast.TryStar | ast.With):
                for block in _sub_blocks(stmt):
                    self._collect_module_symbols(block, scope)
            elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
                for name in _names_in_target(getattr(stmt, "target", None)):
                    symbols[name] = ""

    # -- functions --------------------------------------------------------

    def _new_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: Scope, prefix: str,
                   cls: str | None) -> Scope:
        qualname = f"{prefix}.{node.name}"
        decorators = tuple(parent.ref(d) or "" for d in node.decorator_list)
        kind = "function"
        if cls is not None:
            kind = "method"
            for d in decorators:
                if d == "builtins.staticmethod":
                    kind = "staticmethod"
                elif d == "builtins.classmethod":
                    kind = "classmethod"
                elif d in ("builtins.property", "functools.cached_property") or d.endswith(".setter"):
                    kind = "property"
        info = FuncInfo(
            qualname=qualname,
            name=node.name,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            line=node.lineno,
            col=node.col_offset + 1,
            cls=cls,
            kind=kind,
            decorators=decorators,
        )
        info.offloaded = any(
            d in kb.OFFLOADING_DECORATORS or in_table(eval_lib(d), kb.OFFLOADING_DECORATORS)
            for d in decorators
            if d
        )
        info.handles_errors = info.is_async and _handles_errors(node.body)
        scope = Scope(self, info, parent)
        info.returns = _annotation_ref(parent, node.returns)
        args = node.args
        all_args = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg:
            all_args.append(args.vararg)
        if args.kwarg:
            all_args.append(args.kwarg)
        for a in all_args:
            scope.locals.add(a.arg)
            t = _annotation_ref(parent, a.annotation)
            if t is not None:
                scope.types[a.arg] = t
            elif a.annotation is not None:
                items = annotation_items(parent, a.annotation)
                if items is not None:
                    scope.items[a.arg] = items
        positional = [*args.posonlyargs, *args.args]
        if cls is not None and positional:
            if kind in ("method", "property"):
                scope.self_name = positional[0].arg
                scope.cls = cls
            elif kind == "classmethod":
                scope.cls_name = positional[0].arg
                scope.cls = cls
        self.summary.functions[qualname] = info
        return scope

    def _declare_nested(self, scope: Scope, node: ast.AST, prefix: str) -> None:
        """Register a function or class defined directly in ``scope``."""
        if isinstance(node, _FUNC_TYPES):
            child = self._new_scope(node, scope, prefix, None)
            scope.nested[node.name] = child.func.qualname
            scope.locals.add(node.name)
            self.scopes.append((child, node))
        elif isinstance(node, ast.ClassDef):
            self._declare_class(node, scope, prefix)
            scope.nested[node.name] = f"{prefix}.{node.name}"
            scope.locals.add(node.name)

    def _declare_class(self, node: ast.ClassDef, scope: Scope, prefix: str) -> None:
        qualname = f"{prefix}.{node.name}"
        info = ClassInfo(qualname, tuple(scope.ref(b) or "" for b in node.bases))
        self.summary.classes[qualname] = info
        for stmt in _flatten_class_body(node.body):
            if isinstance(stmt, _FUNC_TYPES):
                child = self._new_scope(stmt, scope, qualname, qualname)
                info.methods.setdefault(stmt.name, child.func.qualname)
                if child.func.kind == "property" and child.func.returns:
                    info.attrs.setdefault(stmt.name, child.func.returns)
                self.scopes.append((child, stmt))
            elif isinstance(stmt, ast.ClassDef):
                self._declare_class(stmt, scope, qualname)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                t = _annotation_ref(scope, stmt.annotation)
                if t is None and stmt.value is not None:
                    t = _call_ref(scope, stmt.value)
                if t:
                    info.attrs[stmt.target.id] = t
                items = annotation_items(scope, stmt.annotation) or value_items(scope, stmt.value)
                _learn_items(self.class_items.setdefault(qualname, {}), stmt.target.id, items)
            elif isinstance(stmt, ast.Assign) and stmt.value is not None:
                t = _call_ref(scope, stmt.value)
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and t:
                        info.attrs.setdefault(target.id, t)

    def _prepass(self, scope: Scope, body: list[ast.stmt]) -> None:
        """Find the names a function binds, and the types of its locals."""
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                ref = _call_ref(scope, stmt.value) if _is_typed_value(stmt.value) else None
                for target in stmt.targets:
                    if ref is not None and isinstance(target, ast.Tuple | ast.List):
                        elements = tuple_element_refs(self.expand(ref), len(target.elts))
                        for elt, elt_ref in zip(target.elts, elements, strict=True):
                            self._bind_target(scope, elt, elt_ref)
                    elif isinstance(target, ast.Tuple | ast.List) and (values := _paired(target, stmt.value)):
                        # ``a, b = Client(), Pool()``: each name gets its own value's type
                        for elt, v in zip(target.elts, values, strict=True):
                            self._bind_target(scope, elt, _call_ref(scope, v) if _is_typed_value(v) else None)
                    else:
                        self._bind_target(scope, target, ref)
                        if isinstance(target, ast.Name):
                            _learn_items(scope.items, target.id, value_items(scope, stmt.value))
            elif isinstance(stmt, ast.AnnAssign):
                ref = _annotation_ref(scope, stmt.annotation)
                if ref is None and stmt.value is not None and _is_typed_value(stmt.value):
                    ref = _call_ref(scope, stmt.value)
                self._bind_target(scope, stmt.target, ref)
                if isinstance(stmt.target, ast.Name):
                    items = annotation_items(scope, stmt.annotation) or value_items(scope, stmt.value)
                    _learn_items(scope.items, stmt.target.id, items)
            elif isinstance(stmt, ast.AugAssign):
                self._bind_target(scope, stmt.target, None)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                self.bind_import(stmt, scope.imports)
                for name in scope.imports:
                    scope.locals.add(name)
            elif isinstance(stmt, ast.Global | ast.Nonlocal):
                scope.nonlocal_names.update(stmt.names)
            elif isinstance(stmt, _DEF_TYPES):
                scope.locals.add(stmt.name)
            elif isinstance(stmt, ast.For | ast.AsyncFor):
                self._bind_target(scope, stmt.target, None)
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        ref = _call_ref(scope, item.context_expr)
                        self._bind_target(scope, item.optional_vars, ref + "." + ENTER if ref else None)
            elif isinstance(stmt, ast.Try | ast.TryStar):
                for handler in stmt.handlers:
                    if handler.name:
                        scope.locals.add(handler.name)
                        scope.types[handler.name] = None
            elif isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    for n in ast.walk(case.pattern):
                        bound = getattr(n, "name", None)
                        if isinstance(bound, str):
                            scope.locals.add(bound)
                        rest = getattr(n, "rest", None)
                        if isinstance(rest, str):
                            scope.locals.add(rest)
            for block in _sub_blocks(stmt):
                self._prepass(scope, block)

    def _bind_target(self, scope: Scope, target: ast.expr, ref: str | None) -> None:
        if isinstance(target, ast.Name):
            name = target.id
            scope.bound.add(name)
            if name in scope.locals:
                if scope.types.get(name) != ref:
                    scope.types[name] = None
            else:
                scope.locals.add(name)
                scope.types[name] = ref
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self._bind_target(scope, elt, None)
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, None)

    def _walk_function(self, scope: Scope, node: ast.AST, *, is_module: bool) -> None:
        body: list[ast.stmt] = node.body if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) else []
        if not is_module:
            self._prepass(scope, body)
        walker = _CallWalker(self, scope)
        walker.walk_body(body, is_module=is_module)
        walker.finish()


def _learn_items(table: dict[str, Items | None], name: str, items: Items | None) -> None:
    """Note what a name's container holds; names given two different ones hold neither
    (and values that say nothing, an empty ``[]`` for one, change nothing)."""
    if items is None:
        return
    old = table.get(name, items)
    table[name] = items if old == items else (None, None)


def _names_in_target(target: ast.AST | None) -> Iterator[str]:
    if target is None:
        return
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            yield from _names_in_target(elt)
    elif isinstance(target, ast.Starred):
        yield from _names_in_target(target.value)


def _sub_blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    if isinstance(stmt, ast.If | ast.For | ast.AsyncFor | ast.While):
        yield stmt.body
        yield stmt.orelse
    elif isinstance(stmt, ast.With | ast.AsyncWith):
        yield stmt.body
    elif isinstance(stmt, ast.Try | ast.TryStar):
        yield stmt.body
        for handler in stmt.handlers:
            yield handler.body
        yield stmt.orelse
        yield stmt.finalbody
    elif isinstance(stmt, ast.Match):
        for case in stmt.cases:
            yield case.body


def _flatten_class_body(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        if isinstance(stmt, ast.If | ast.Try | ast.TryStar):
            for block in _sub_blocks(stmt):
                yield from _flatten_class_body(block)
        else:
            yield stmt


def _paired(target: ast.Tuple | ast.List, value: ast.expr | None) -> list[ast.expr]:
    """The values of ``a, b = x, y`` in the order of the targets (empty when they do not pair)."""
    if (
        isinstance(value, ast.Tuple | ast.List)
        and len(value.elts) == len(target.elts)
        and not any(isinstance(e, ast.Starred) for e in (*value.elts, *target.elts))
    ):
        return list(value.elts)
    return []


def _is_typed_value(node: ast.expr) -> bool:
    """Whether an assigned value may carry a type we can name (a call)."""
    if isinstance(node, ast.Await):
        node = node.value
    return (isinstance(node, ast.Call | ast.Subscript)
            or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div))
            # ``redis = request.app.state.redis``: what the application keeps there
            or (isinstance(node, ast.Attribute) and _state_holder(node.value)))


def _call_ref(scope: Scope, node: ast.expr) -> str | None:
    """The reference of a value that is a call (or an awaited call), or an item of an instance.

    ``self.client["shop"]`` on a ``pymongo.MongoClient`` is a database (see
    ``kb.ATTRIBUTE_TYPES``); an item of anything that is not an instance
    (a module's dict of handlers) names no type.
    """
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call | ast.BinOp) or (isinstance(node, ast.Attribute) and _state_holder(node.value)):
        return scope.ref(node)
    if isinstance(node, ast.Subscript):
        base = scope.ref(node.value)
        key = str_key(node.slice)
        if key is not None:
            return f"{scope.module.expand(base)}.[]{key}" if base is not None else f"[]{key}"
        if base is None:
            return None
        base = scope.module.expand(base)
        return base + ".[]" if base.endswith(("()", ".[]")) else None
    return None


#: Builtins whose result holds what their argument holds (``sorted(meters)``).
_KEEPING = frozenset({"list", "sorted", "reversed", "set", "tuple", "frozenset", "iter"})

#: A key a project stores values under (``app["db"]``, ``ctx.obj["client"]``).
_STR_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")


def str_key(node: ast.expr) -> str | None:
    """The constant string key of a subscript, when it can name a value project-wide."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _STR_KEY.fullmatch(node.value):
        return node.value
    return None


# Names that by convention hold an open file object, never a path (tarfile's ``fileobj``).
_FILE_OBJECT_NAMES = frozenset({"fileobj", "file_obj", "fobj", "fp", "bio", "buf", "buffer", "memfile"})


def _in_memory_file(scope: Scope, node: ast.expr) -> bool:
    """Whether an argument is an in-memory file (``io.BytesIO(data)``, or a local bound to one).

    Such an argument is recorded among a call's constants as
    ``kb.IN_MEMORY_FILE``, for ``Blocking.nonblocking_if``: a zip archive or
    an image opened from memory reads no disk.
    """
    if (
        isinstance(node, ast.Call)
        and len(node.args) == 2
        and scope.ref(node.func) in ("typing.cast", "typing_extensions.cast")
    ):
        node = node.args[1]  # ``cast(BinaryIO, buffer)``
    if not isinstance(node, ast.Name | ast.Call | ast.Attribute):
        return False
    if isinstance(node, ast.Name) and node.id in _FILE_OBJECT_NAMES:
        return True  # ``ZipFile(fileobj)``: a file object already open (or made in memory), not a path
    ref = scope.ref(node)
    if ref is not None and ref.endswith("()") and scope.module.expand(ref[:-2]) in scope.module.summary.classes:
        return True  # an object of a class of this module (a buffer, a stream): not a path
    value = scope.lib(node)
    return isinstance(value, LibObject) and in_table(value, kb.IN_MEMORY_FILE_TYPES)


# A string naming a file: ``scans/a.las``, ``/vsis3/bucket/tile.tif``, ``report.pdf``.
_FILE_STRING = re.compile(r"^[^\s:]*(/[^\s/]+|\.[A-Za-z][A-Za-z0-9]{0,4})$|^[a-z0-9]+://[^\s]+/[^\s]*\.[A-Za-z]\w{0,4}$")
_PATH_MAKERS = frozenset({"Path", "PurePath", "PosixPath", "join", "fspath", "str", "abspath", "expanduser", "resolve"})


def _unpartial(node: ast.expr) -> ast.expr:
    """The function of ``functools.partial(f, ...)``; anything else as it is."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if (func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else "") == "partial":
            return node.args[0]
    return node


def _url_argument(scope: Scope, node: ast.expr) -> bool:
    """Whether an argument is a web address: ``"https://..."``, ``f"https://{host}/rss"``,
    or a module constant bound to such a string (``kb.URL_ARGUMENT``)."""
    if isinstance(node, ast.Name):
        return node.id in scope.module.url_constants and not _bound_in_function(scope, node.id)
    return _url_literal(node)


def _version_probe(node: ast.expr) -> bool:
    """``[npm, "--version"]``: a command line that only asks a program for its version."""
    if not isinstance(node, ast.List | ast.Tuple) or len(node.elts) < 2:
        return False
    last = node.elts[-1]
    return isinstance(last, ast.Constant) and last.value in kb.VERSION_FLAGS


def _url_literal(node: ast.expr | None) -> bool:
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith(("http://", "https://")))


def _path_argument(node: ast.expr, depth: int = 0) -> bool:
    """Whether an argument names a file: ``path``, ``scan_file``, ``Path(...)``, ``d / name``,
    ``str(path)``, ``"scans/a.las"`` (recorded as ``kb.PATH_ARGUMENT``, see ``_guess``)."""
    if depth > 3:
        return False
    if isinstance(node, ast.Name):
        return _looks_like_path(node.id)
    if isinstance(node, ast.Attribute):
        return _looks_like_path(node.attr)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and len(node.value) < 300 and _FILE_STRING.match(node.value) is not None
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return "/" in text or re.search(r"\.[A-Za-z][A-Za-z0-9]{0,4}$", text) is not None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return any(
            _path_argument(side, depth + 1) or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in (node.left, node.right)
        )
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("Path", "PurePath", "PosixPath"):
            return True
        if name in _PATH_MAKERS:
            return _path_argument(node.args[0], depth + 1)
    return False


def _looks_like_path(name: str) -> bool:
    low = name.lower().strip("_")
    return low.endswith(("path", "filename", "fname", "_file", "filepath"))


def _bound_in_function(scope: Scope, name: str) -> bool:
    inner: Scope | None = scope
    while inner is not None and inner.parent is not None:  # the module scope has no parent
        if name in inner.locals:
            return True
        inner = inner.parent
    return False


_FLAG_TAILS = frozenset(name.rpartition(".")[2] for name in kb.FLAG_ARGUMENTS)


def _flag_argument(scope: Scope, node: ast.expr) -> str | None:
    """What a call records for an argument that carries a known flag or an in-memory database name.

    ``os.WNOHANG``, ``socket.AI_NUMERICHOST | socket.AI_NUMERICSERV``, a module
    constant bound to such an expression, or ``":memory:"`` (see
    ``kb.FLAG_ARGUMENTS`` and ``kb.IN_MEMORY_DATABASE``); ``None`` otherwise.
    Cheap for the common case: only names ending like a known flag are resolved.
    """
    t = type(node)
    if t is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        if isinstance(value, str) and (value == kb.IN_MEMORY_DATABASE or value.startswith("file::memory:")):
            return kb.IN_MEMORY_DATABASE
        return None
    if t is ast.BinOp:
        assert isinstance(node, ast.BinOp)
        if isinstance(node.op, ast.BitOr):
            return _flag_argument(scope, node.left) or _flag_argument(scope, node.right)
        return None
    if t is ast.Name:
        assert isinstance(node, ast.Name)
        flag = scope.module.flag_constants.get(node.id)
        if flag is not None and not _bound_in_function(scope, node.id):
            return flag
        if node.id not in _FLAG_TAILS:
            return None
    elif t is ast.Attribute:
        assert isinstance(node, ast.Attribute)
        if node.attr not in _FLAG_TAILS:
            return None
    else:
        return None
    ref = scope.ref(node)
    return ref if ref in kb.FLAG_ARGUMENTS else None


def keyed_segment(segments: Sequence[str]) -> tuple[int, str, int] | None:
    """The first segment of a reference that names what the project keeps under a key:
    ``(index, key, index of the first segment after it)``.  The key is ``"db"`` for an
    item (``app.[]db``), ``".db"`` for an attribute of a state object (``app.state.db``, or
    ``[].db``: ``state.db`` on a state object of unknown type; see ``FileSummary.keys``)."""
    for i, seg in enumerate(segments):
        if seg.startswith("[]"):
            if len(seg) > 2:
                return i, seg[2:], i + 1
            if i == 0 and len(segments) > 1:
                return i, "." + segments[1], 2
        elif (
            i and seg and not seg.endswith("()")
            and segments[i - 1].removesuffix("()").lower() in STATE_HOLDERS
        ):
            return i, "." + seg, i + 1
    return None


def _through_keys(ref: str, keys: dict[str, str]) -> str | None:
    """``ref`` with its first keyed item or state attribute replaced by what ``keys`` says
    is stored there (``sanic.Sanic().ctx.http.get()`` -> ``aiohttp.ClientSession().get()``)."""
    segments = ref.split(".")
    found = keyed_segment(segments)
    if found is None:
        return None
    _, key, rest = found
    stored = keys.get(key)
    return ".".join([stored, *segments[rest:]]) if stored else None


#: Names of the objects web frameworks give an application to keep its own values on
#: (Starlette's and Litestar's ``app.state``/``request.state``, Sanic's ``app.ctx``).
STATE_HOLDERS = frozenset({"state", "ctx"})


def _state_holder(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name in STATE_HOLDERS


def _udp_socket(node: ast.expr, dgram_lookup: bool = False) -> bool:
    """``socket.socket(socket.AF_INET, socket.SOCK_DGRAM)`` (or ``type=SOCK_DGRAM``); with
    ``dgram_lookup`` (the function asked ``getaddrinfo(..., SOCK_DGRAM)``), also a socket
    whose type is a name (``socket.socket(af, socktype, proto)`` over its results)."""
    if not isinstance(node, ast.Call) or _last_attr(node.func) != "socket":
        return False
    if any(_last_attr(arg) == "SOCK_DGRAM" for arg in [*node.args, *(kw.value for kw in node.keywords)]):
        return True
    kind = node.args[1] if len(node.args) > 1 else next((kw.value for kw in node.keywords if kw.arg == "type"), None)
    return dgram_lookup and isinstance(kind, ast.Name)


def _dgram_lookup(node: ast.Call) -> bool:
    """``socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM, ...)`` (or ``type=``)."""
    if _last_attr(node.func) != "getaddrinfo":
        return False
    kind = node.args[3] if len(node.args) > 3 else next((kw.value for kw in node.keywords if kw.arg == "type"), None)
    return kind is not None and _last_attr(kind) == "SOCK_DGRAM"


def cached_return(node: ast.If) -> bool:
    """``if _CACHE is not None and fresh: return _CACHE``, ``if self._token: return
    self._token``: an early return of what the function keeps, tested by the condition."""
    if not node.body or not isinstance(node.body[-1], ast.Return):
        return False
    kept = node.body[-1].value
    if isinstance(kept, ast.Attribute):
        if not (isinstance(kept.value, ast.Name) and kept.value.id in ("self", "cls")):
            return False
    elif not isinstance(kept, ast.Name):
        return False
    wanted = ast.dump(kept)
    return any(ast.dump(n) == wanted for n in ast.walk(node.test))


def _non_empty_queue(test: ast.expr) -> str | None:
    """The queue a test finds non-empty (``not q.empty()``, ``q.qsize()``, ``q.qsize() > 0``), dumped."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        call = test.operand
        method = "empty"
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Gt | ast.NotEq):
        bound = test.comparators[0]
        if not (isinstance(bound, ast.Constant) and bound.value == 0):
            return None
        call, method = test.left, "qsize"
    else:
        call, method = test, "qsize"
    if (
        isinstance(call, ast.Call)
        and not call.args
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == method
    ):
        return ast.dump(call.func.value)
    return None


_SPAWN_METHODS = frozenset({"create_task", "ensure_future"})
#: Calls whose first argument is a coroutine they run (by the callee's last name).
#: ``sets:<attr>:<async|sync>``: a function of that kind sets ``attr`` of an object other
#: than ``self`` to a constant (``silo.ready = True``); see ADC503.
SETS_FLAG = "sets:"
#: ``offloads:<ref>@<line>``: a module hands the function ``ref`` to a thread at ``line``
#: (``to_thread(f, ...)``, ``run_in_executor(None, partial(f, x))``): its author knows it blocks.
OFFLOADS_FLAG = "offloads:"
# Calls that run a function in a thread, by name: where the function is among their arguments.
# (``call_thread``/``cast_thread``: mode's ``ServiceThread`` runs the callable, sync or
# async, on the thread's own event loop; faust drives its blocking Kafka client so)
_OFFLOADED_ARGUMENT = {"to_thread": 0, "run_sync": 0, "run_in_threadpool": 0, "run_in_executor": 1,
                       "sync_to_async": 0, "call_thread": 0, "cast_thread": 0}
_SCHEDULERS = _SPAWN_METHODS | frozenset(
    {"gather", "wait_for", "shield", "run", "run_coroutine_threadsafe", "run_until_complete", "start_soon"}
)  # fmt: skip
# Builtins that iterate (or test) their argument at once.
_ITERATING_BUILTINS = frozenset(
    {"list", "tuple", "set", "frozenset", "sorted", "sum", "any", "all", "max", "min", "dict", "len"}
)
# (``__aenter__``: aiohttp's ``session.get()`` and the like return awaitable
# async context managers, entered by hand as ``await session.get(url).__aenter__()``.)
_CORO_METHODS = frozenset({"send", "throw", "close", "__await__", "__aenter__", "cr_frame", "cr_code"})
# A call's constant for a call handed callables by keyword (``on_connected_cb=self._on_conn``,
# ``callback=...``): a library driven by callbacks, whose work runs on its own threads.
CALLBACKS = "<callbacks>"
_CALLBACK_KEYWORD = re.compile(r"^on_|_cb$|callback")
# A call's constant for a result kept in a local only given a done callback: the task is
# still not referenced (the callback does not hold it), but its result is handled.
DONE_CALLBACK = "<done callback>"
# Methods of a task or future that use the object held in a name: a local that
# is cancelled or inspected later keeps its task alive until then (only
# ``add_done_callback`` does not: the task does not hold its callbacks' owner).
_TASK_METHODS = frozenset(
    {"cancel", "cancelled", "done", "result", "exception", "get_coro", "cancelling", "uncancel",
     "remove_done_callback", "get_stack", "print_stack"}
)


_BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})


def _handles_errors(body: list[ast.stmt]) -> bool:
    """Whether a body (after its docstring and plain set-up statements) is one ``try`` that
    catches every ``Exception`` without re-raising, alone or as the body of a ``while`` loop
    (see FuncInfo.handles_errors).  A ``finally`` alone handles nothing."""
    stmts = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    while stmts and isinstance(stmts[0], ast.Assign | ast.AnnAssign) and len(stmts) > 1:
        stmts = stmts[1:]  # ``attempt = 0`` before the loop
    if len(stmts) != 1:
        return False
    stmt = stmts[0]
    if isinstance(stmt, ast.While):
        return _handles_errors(stmt.body)
    if not isinstance(stmt, ast.Try):
        return False
    for handler in stmt.handlers:
        kind = handler.type
        names = (kind.elts if isinstance(kind, ast.Tuple) else [kind]) if kind is not None else []
        broad = kind is None or any(_last_attr(n) in _BROAD_EXCEPTIONS for n in names)
        if broad:
            return not any(isinstance(n, ast.Raise) for b in handler.body for n in ast.walk(b))
    return False


def _ends(body: list[ast.stmt]) -> bool:
    """Whether a block never falls through to what follows it (it returns, raises, ...)."""
    return bool(body) and isinstance(body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break)


def _join(
    one: dict[str, str | None], one_body: list[ast.stmt],
    other: dict[str, str | None], other_body: list[ast.stmt],
) -> dict[str, str | None]:
    """What is known after an ``if`` from what each branch left (a branch that never falls
    through leaves nothing to join)."""
    if _ends(one_body):
        return other
    if _ends(other_body):
        return one
    return {name: ref for name, ref in one.items() if name in other and other[name] == ref}


class _CallWalker:
    """Walks one function's own frame and records its calls."""

    def __init__(self, analysis: ModuleAnalysis, scope: Scope) -> None:
        self.analysis = analysis
        self.scope = scope
        self.func = scope.func
        self.prefix = scope.func.qualname if scope.func.kind != "module" else analysis.module
        self.loop_depth = 0
        self.guard_depth = 0
        # Receivers (``ast.dump`` of the expression) of queues the enclosing
        # ``if``/``while`` found non-empty: ``while not q.empty(): q.get()``.
        self.filled_queues: list[str] = []
        # name -> list of usages of its loads
        self.name_uses: dict[str, list[int]] = {}
        # Locals given a done callback (``task.add_done_callback(...)``): see DONE_CALLBACK.
        self.called_back: set[str] = set()
        # call sites assigned to a single plain name: (site, name)
        self.assigned: list[tuple[CallSite, str]] = []
        # What the ``return`` statements of a plain function without a return annotation
        # give, when it can be told (``return requests.Session()``; None: cannot be told).
        self.returned: list[str | None] = []
        # nested functions and lambdas, whose reads of our names are uses too
        self.nested_nodes: list[ast.AST] = []
        # the ``if`` branches the walk is in (see ModuleAnalysis.untyped_calls)
        self.branches: list[tuple[int, int]] = []
        # first arguments of calls that run a coroutine (``create_task(x.m())``), by id
        self.scheduled: set[int] = set()
        # local names bound to a UDP socket (``socket.socket(AF_INET, SOCK_DGRAM)``): its
        # ``connect`` only picks a route and its sends do not wait for a peer
        self.udp_sockets: set[str] = set()
        self.dgram_lookup = False  # the function asked getaddrinfo for datagram sockets
        # loop variables that hold an item of a typed container, for the loop's body: what
        # they hold survives the body's forgetting (see _forget_flow)
        self.pinned: dict[str, str | None] = {}

    # -- statements -------------------------------------------------------

    def walk_body(self, body: list[ast.stmt], *, is_module: bool = False) -> None:
        for stmt in body:
            self.stmt(stmt, is_module)

    def stmt(self, node: ast.stmt, is_module: bool = False) -> None:
        t = type(node)
        if t is ast.Expr:
            value = node.value  # type: ignore[attr-defined]
            if isinstance(value, ast.Constant):
                return
            self.expr(value, Usage.DISCARDED)
        elif t is ast.Assign:
            assert isinstance(node, ast.Assign)
            single = node.targets[0] if len(node.targets) == 1 else None
            if isinstance(single, ast.Name) and single.id not in self.scope.nonlocal_names and not is_module:
                site = self.expr(node.value, Usage.VALUE)
                if site is not None:
                    self.assigned.append((site, single.id))
            else:
                self.expr(node.value, Usage.VALUE)
            for target in node.targets:
                if isinstance(target, ast.Tuple | ast.List) and _is_typed_value(node.value):
                    self._tuple_target(target, node.value)
                else:
                    self.target(target, node.value)
                if isinstance(target, ast.Subscript):
                    key = str_key(target.slice)
                    if key is not None:
                        self._learn_key(key, node.value)
                elif isinstance(target, ast.Attribute) and _state_holder(target.value):
                    # ``app.state.db = Database()``: a framework's state object
                    self._learn_key("." + target.attr, node.value)
            if (isinstance(single, ast.Attribute) and isinstance(single.value, ast.Name)
                    and single.value.id not in ("self", "cls") and isinstance(node.value, ast.Constant)
                    and not is_module):
                # ``silo.ready = True``: a flag of another object, set by this kind of function
                self.analysis.flag(f"{SETS_FLAG}{single.attr}:{'async' if self.func.is_async else 'sync'}")
            if isinstance(single, ast.Name):
                if _udp_socket(node.value, self.dgram_lookup):
                    self.udp_sockets.add(single.id)
                else:
                    self.udp_sockets.discard(single.id)
            if (
                isinstance(single, ast.Name)
                and not is_module
                and single.id in self.scope.locals
                and single.id not in self.scope.nonlocal_names
            ):
                # from here on, on this path: what this assignment gave it
                value = node.value
                self.scope.flow[single.id] = (
                    _call_ref(self.scope, value) if _is_typed_value(value) else None
                )
        elif t is ast.AnnAssign:
            assert isinstance(node, ast.AnnAssign)
            if node.value is not None:
                self.expr(node.value, Usage.VALUE)
            self.target(node.target, node.value, annotation=node.annotation)
        elif t is ast.AugAssign:
            assert isinstance(node, ast.AugAssign)
            self.expr(node.value, Usage.VALUE)
            self.target(node.target, None, load=True)
        elif t is ast.Return:
            assert isinstance(node, ast.Return)
            if node.value is not None:
                self.expr(node.value, Usage.YIELDED)
                self._note_return(node.value)
        elif t is ast.If or t is ast.While:
            assert isinstance(node, ast.If | ast.While)
            self.expr(node.test, Usage.MISUSED)
            filled = _non_empty_queue(node.test)
            if filled is not None:
                self.filled_queues.append(filled)
            if t is ast.While:
                self._forget_flow()
                self.loop_depth += 1
                self.walk_body(node.body, is_module=is_module)
                self.loop_depth -= 1
                if filled is not None:
                    self.filled_queues.pop()
                self.guard_depth += 1
                self.walk_body(node.orelse, is_module=is_module)
                self.guard_depth -= 1
                self._forget_flow()
            else:
                before = dict(self.scope.flow)
                self.guard_depth += 1
                self.branches.append((id(node), 0))
                self.walk_body(node.body, is_module=is_module)
                self.branches.pop()
                self.guard_depth -= 1
                if filled is not None:
                    self.filled_queues.pop()
                after_body = self.scope.flow
                self.scope.flow = before
                self.guard_depth += 1
                self.branches.append((id(node), 1))
                self.walk_body(node.orelse, is_module=is_module)
                self.branches.pop()
                self.guard_depth -= 1
                self.scope.flow = _join(after_body, node.body, self.scope.flow, node.orelse)
        elif t is ast.For or t is ast.AsyncFor:
            assert isinstance(node, ast.For | ast.AsyncFor)
            if t is ast.AsyncFor:
                self.func.suspends = True
            self.expr(node.iter, Usage.MISUSED if t is ast.For else Usage.AWAITED)
            self._forget_flow()
            self.target(node.target, None)
            pinned = self.pinned
            if not is_module:
                taken = self._taken(node.target, node.iter)
                if taken:
                    # what the loop variable holds, unless the body assigns it
                    assigned = {
                        n.id for stmt in node.body for n in ast.walk(stmt)
                        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
                    }
                    taken = {k: v for k, v in taken.items() if k not in assigned}
                    self.pinned = {**pinned, **taken}
                    self.scope.flow.update(taken)
            self.loop_depth += 1
            self.walk_body(node.body, is_module=is_module)
            self.loop_depth -= 1
            self.pinned = pinned
            self.walk_body(node.orelse, is_module=is_module)
            self._forget_flow()
        elif t is ast.With or t is ast.AsyncWith:
            assert isinstance(node, ast.With | ast.AsyncWith)
            usage = Usage.AWAITED if t is ast.AsyncWith else Usage.VALUE
            if t is ast.AsyncWith:
                self.func.suspends = True
            for item in node.items:
                self.expr(item.context_expr, usage)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, None)
                    if isinstance(item.optional_vars, ast.Name) and _udp_socket(item.context_expr, self.dgram_lookup):
                        self.udp_sockets.add(item.optional_vars.id)
            self.walk_body(node.body, is_module=is_module)
        elif t is ast.Try or t is ast.TryStar:
            assert isinstance(node, ast.Try | ast.TryStar)
            # a handler or the finally block may follow any part of the body: what the body
            # assigns is unknown there, and after the statement
            self.walk_body(node.body, is_module=is_module)
            self._forget_flow()
            for handler in node.handlers:
                if handler.type is not None:
                    self.expr(handler.type, Usage.VALUE)
                    if "BlockingIOError" in ast.dump(handler.type):
                        self.analysis.flag("nonblocking-sockets")
                self.guard_depth += 1
                self.walk_body(handler.body, is_module=is_module)
                self.guard_depth -= 1
                self._forget_flow()
            self.walk_body(node.orelse, is_module=is_module)
            self._forget_flow()
            self.walk_body(node.finalbody, is_module=is_module)
        elif t is ast.FunctionDef or t is ast.AsyncFunctionDef or t is ast.ClassDef:
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            for d in node.decorator_list:
                self.expr(d, Usage.VALUE)
            if isinstance(node, ast.ClassDef):
                for b in node.bases:
                    self.expr(b, Usage.VALUE)
                for kw in node.keywords:
                    self.expr(kw.value, Usage.VALUE)
            else:
                for d in [*node.args.defaults, *(x for x in node.args.kw_defaults if x is not None)]:
                    self.expr(d, Usage.VALUE)
                self._note_free_names(node)
            if is_module:
                if isinstance(node, ast.ClassDef):
                    self.analysis._declare_class(node, self.scope, self.analysis.module)
                    self._walk_class_body(node)
                else:
                    child = self.analysis._new_scope(node, self.scope, self.analysis.module, None)
                    self.analysis.scopes.append((child, node))
            else:
                self.analysis._declare_nested(self.scope, node, self.prefix + ".<locals>")
                if isinstance(node, ast.ClassDef):
                    self._walk_class_body(node)
        elif t is ast.Raise:
            assert isinstance(node, ast.Raise)
            if node.exc is not None:
                self.expr(node.exc, Usage.VALUE)
            if node.cause is not None:
                self.expr(node.cause, Usage.VALUE)
        elif t is ast.Assert:
            assert isinstance(node, ast.Assert)
            self.expr(node.test, Usage.MISUSED)
            if node.msg is not None:
                self.expr(node.msg, Usage.VALUE)
        elif t is ast.Delete:
            assert isinstance(node, ast.Delete)
            for target in node.targets:
                self.target(target, None, load=True)
        elif t is ast.Match:
            assert isinstance(node, ast.Match)
            self.expr(node.subject, Usage.VALUE)
            self._forget_flow()
            for case in node.cases:
                self._forget_flow()
                if case.guard is not None:
                    self.expr(case.guard, Usage.MISUSED)
                self.guard_depth += 1
                self.walk_body(case.body, is_module=is_module)
                self.guard_depth -= 1
            self._forget_flow()
        # Import, Global, Nonlocal, Pass, Break, Continue: nothing to record.

    def _walk_class_body(self, node: ast.ClassDef) -> None:
        """Class bodies run in the enclosing frame; their methods are scopes of their own."""
        for stmt in _flatten_class_body(node.body):
            if isinstance(stmt, _FUNC_TYPES):
                for d in stmt.decorator_list:
                    self.expr(d, Usage.VALUE)
                for d in stmt.args.defaults:
                    self.expr(d, Usage.VALUE)
                self._note_free_names(stmt)
            elif isinstance(stmt, ast.ClassDef):
                for b in stmt.bases:
                    self.expr(b, Usage.VALUE)
                self._walk_class_body(stmt)
            else:
                self.stmt(stmt)

    def _note_free_names(self, node: ast.AST) -> None:
        """Names a nested function reads count as used here (closures); walked lazily."""
        if self.func.kind != "module":
            self.nested_nodes.append(node)

    def target(self, node: ast.expr, value: ast.expr | None, *, load: bool = False,
               annotation: ast.expr | None = None) -> None:
        if isinstance(node, ast.Name):
            self.scope.flow.pop(node.id, None)
            if load:
                self.name_uses.setdefault(node.id, []).append(Usage.VALUE)
            return
        if isinstance(node, ast.Attribute):
            self.expr(node.value, Usage.VALUE)
            if (
                self.scope.self_name is not None
                and isinstance(node.value, ast.Name)
                and node.value.id == self.scope.self_name
                and self.scope.cls is not None
            ):
                if value is not None or annotation is not None:
                    self._learn_attr(node.attr, value, annotation)
                self._learn_setter(node.attr)
        elif isinstance(node, ast.Subscript):
            self.expr(node.value, Usage.VALUE)
            self.expr(node.slice, Usage.VALUE)
        elif isinstance(node, ast.Tuple | ast.List):
            values = _paired(node, value)
            for i, elt in enumerate(node.elts):
                # ``self.state, self.db = state, db``: each gets its own value
                self.target(elt, values[i] if values else None, load=load)
        elif isinstance(node, ast.Starred):
            self.target(node.value, None, load=load)

    def _tuple_target(self, target: ast.Tuple | ast.List, value: ast.expr) -> None:
        """``self.reader, self.writer = await asyncio.open_connection(...)``."""
        ref = _call_ref(self.scope, value)
        elements = tuple_element_refs(self.analysis.expand(ref), len(target.elts)) if ref else ()
        for i, elt in enumerate(target.elts):
            elt_ref = elements[i] if i < len(elements) else None
            if (
                elt_ref is not None
                and isinstance(elt, ast.Attribute)
                and isinstance(elt.value, ast.Name)
                and elt.value.id == self.scope.self_name
            ):
                self.expr(elt.value, Usage.VALUE)
                self._learn_attr_ref(elt.attr, elt_ref)
            else:
                self.target(elt, None)

    def _learn_dict(self, node: ast.Dict) -> None:
        """``{"db": db, ...}`` (a context handed to a framework): what is stored under each key.

        Only values that may carry a type count (plain data in a dict literal, a JSON
        payload, says nothing about what the application keeps under a key)."""
        for key_node, value in zip(node.keys, node.values, strict=True):
            if isinstance(value, ast.Call | ast.Await | ast.Name) and key_node is not None:
                key = str_key(key_node)
                if key is not None:
                    self._learn_key(key, value)

    def _learn_key(self, key: str, value: ast.expr) -> None:
        """``app["db"] = Database(...)``: the project stores a ``Database`` under "db"
        (``app.state.db = ...`` under ".db")."""
        if isinstance(value, ast.Call | ast.Await):
            ref = _call_ref(self.scope, value)
        elif isinstance(value, ast.Name):
            ref = self.scope.lookup(value.id)
            if ref is not None and not ref.endswith("()"):
                ref = None  # a class, a function, a module: not an instance
        else:
            ref = None
        keys = self.analysis.summary.keys
        if ref is None:
            if isinstance(value, ast.Constant | ast.JoinedStr | ast.Dict | ast.List | ast.Tuple | ast.Set):
                keys[key] = ""  # plain data under that key too: no one type
            return
        ref = self.analysis.expand(ref)
        old = keys.get(key)
        if old is None:
            keys[key] = ref
        elif old != ref:
            keys[key] = ""

    def _learn_setter(self, attr: str) -> None:
        func = self.func
        if func.name in ("__init__", "__post_init__") or func.kind in ("module", "property"):
            return
        cls = self.analysis.summary.classes.get(self.scope.cls or "")
        if cls is not None:
            kind = SET_ASYNC if func.is_async else SET_SYNC
            cls.setters[attr] = max(cls.setters.get(attr, 0), kind)

    def _learn_attr_ref(self, attr: str, ref: str) -> None:
        cls = self.analysis.summary.classes.get(self.scope.cls or "")
        if cls is None:
            return
        old = cls.attrs.get(attr)
        if old is None:
            cls.attrs[attr] = ref
        elif old != ref and old != "":
            cls.attrs[attr] = ""

    def _learn_attr(self, attr: str, value: ast.expr | None, annotation: ast.expr | None = None) -> None:
        cls = self.analysis.summary.classes.get(self.scope.cls or "")
        if cls is None:
            return
        items = annotation_items(self.scope, annotation)
        if items is None and value is not None:
            items = self._items(value)
        _learn_items(self.analysis.class_items.setdefault(cls.qualname, {}), attr, items)
        if value is None:
            return
        ref = _call_ref(self.scope, value) if _is_typed_value(value) else None
        if ref is None and isinstance(value, ast.Name):
            # self.session = session  (a parameter with an annotation)
            ref = self.scope.types.get(value.id) if value.id in self.scope.locals else None
        old = cls.attrs.get(attr)
        if old is None:
            if ref is not None:
                cls.attrs[attr] = ref
        elif ref is not None and old != ref and old != "":
            cls.attrs[attr] = ""

    # -- expressions ------------------------------------------------------

    def expr(self, node: ast.expr, usage: int) -> CallSite | None:
        """Record the calls in an expression; return the site of ``node`` if it is a call."""
        t = type(node)
        if t is ast.Call:
            assert isinstance(node, ast.Call)
            return self.call(node, usage)
        if t is ast.Name:
            assert isinstance(node, ast.Name)
            self.name_uses.setdefault(node.id, []).append(usage)
            return None
        if t is ast.Await:
            assert isinstance(node, ast.Await)
            self.func.suspends = True
            self.expr(node.value, Usage.AWAITED)
            return None
        if t is ast.Attribute:
            assert isinstance(node, ast.Attribute)
            # ``pipe.on_interest_end(task.cancel)``: a task's bound method handed on holds
            # the task, as the task itself would.
            held = usage == Usage.VALUE and isinstance(node.value, ast.Name) and node.attr in _TASK_METHODS
            self.expr(node.value, Usage.VALUE if held else Usage.MISUSED)
            return None
        if t is ast.Constant:
            return None
        if t is ast.Subscript:
            assert isinstance(node, ast.Subscript)
            self.expr(node.value, Usage.MISUSED)
            self.expr(node.slice, Usage.VALUE)
            return None
        if t is ast.BoolOp:
            assert isinstance(node, ast.BoolOp)
            self.expr(node.values[0], Usage.MISUSED)
            self.guard_depth += 1
            for v in node.values[1:-1]:
                self.expr(v, Usage.MISUSED)
            self.expr(node.values[-1], usage if usage != Usage.DISCARDED else Usage.DISCARDED)
            self.guard_depth -= 1
            return None
        if t is ast.UnaryOp:
            assert isinstance(node, ast.UnaryOp)
            self.expr(node.operand, Usage.MISUSED if isinstance(node.op, ast.Not) else Usage.VALUE)
            return None
        if t is ast.Compare:
            assert isinstance(node, ast.Compare)
            ops_identity = all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops)
            inner = Usage.VALUE if ops_identity else Usage.MISUSED
            self.expr(node.left, inner)
            for c in node.comparators:
                self.expr(c, inner)
            return None
        if t is ast.IfExp:
            assert isinstance(node, ast.IfExp)
            self.expr(node.test, Usage.MISUSED)
            self.guard_depth += 1
            self.expr(node.body, usage)
            self.expr(node.orelse, usage)
            self.guard_depth -= 1
            return None
        if t is ast.Yield or t is ast.YieldFrom:
            assert isinstance(node, ast.Yield | ast.YieldFrom)
            self.func.is_generator = True
            if node.value is not None:
                self.expr(node.value, Usage.YIELDED)
            return None
        if t is ast.NamedExpr:
            assert isinstance(node, ast.NamedExpr)
            self.expr(node.value, Usage.VALUE)
            if isinstance(node.target, ast.Name):
                self.scope.flow.pop(node.target.id, None)
            return None
        if t in _COMP_TYPES:
            self._comprehension(node)
            return None
        if t is ast.Lambda:
            assert isinstance(node, ast.Lambda)
            for d in node.args.defaults:
                self.expr(d, Usage.VALUE)
            self._note_free_names(node.body)
            if isinstance(node.body, ast.Dict):  # ``context_value=lambda r: {"db": db}``
                self._learn_dict(node.body)
            return None
        if t is ast.Dict:
            assert isinstance(node, ast.Dict)
            self._learn_dict(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, Usage.VALUE)
            elif isinstance(child, ast.keyword):
                self.expr(child.value, Usage.VALUE)
        return None

    def _comprehension(self, node: ast.AST) -> None:
        gens: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        flow = self.scope.flow
        # Only the first iterable is evaluated once; the rest runs once per element.
        for i, gen in enumerate(gens):
            if i == 1:
                self.loop_depth += 1
            self.expr(gen.iter, Usage.AWAITED if gen.is_async else Usage.MISUSED)
            if isinstance(gen.target, ast.Name | ast.Tuple) and self.func.kind != "module":
                # the comprehension's own variables: what they hold, while it runs
                taken = self._taken(gen.target, gen.iter, own=True)
                if taken:
                    if self.scope.flow is flow:
                        self.scope.flow = dict(flow)
                    self.scope.flow.update(taken)
            if i == 0:
                self.loop_depth += 1
            for cond in gen.ifs:
                self.expr(cond, Usage.MISUSED)
            if i == 0:
                self.loop_depth -= 1
        if len(gens) > 1:
            self.loop_depth -= 1
        self.loop_depth += 1
        if isinstance(node, ast.DictComp):
            self.expr(node.key, Usage.VALUE)
            if node.value is not None:  # None: ``{**d for d in ds}`` (Python 3.15)
                self.expr(node.value, Usage.VALUE)
        else:
            self.expr(node.elt, Usage.VALUE)  # type: ignore[attr-defined]
        self.loop_depth -= 1
        self.scope.flow = flow

    def call(self, node: ast.Call, usage: int) -> CallSite | None:
        func = node.func
        # The callee expression itself: its bases are evaluated but are not calls of interest.
        if isinstance(func, ast.Attribute):
            # (``create_task(c).cancel()``: a task cancelled at once has nothing left to lose)
            keeps = (
                func.attr in _CORO_METHODS
                or func.attr == "cancel"
                or (func.attr in _TASK_METHODS and isinstance(func.value, ast.Name))
            )
            inner = self.expr(func.value, Usage.VALUE if keeps else Usage.MISUSED)
            if func.attr == "add_done_callback":
                if isinstance(func.value, ast.Name):
                    self.called_back.add(func.value.id)
                elif inner is not None:  # ``create_task(c).add_done_callback(f)``
                    inner.consts = (*inner.consts, (DONE_CALLBACK, True))
        elif not isinstance(func, ast.Name):
            self.expr(func, Usage.VALUE)
        consts: list[tuple[str | int, Any]] = []
        if not self.dgram_lookup and _dgram_lookup(node):
            self.dgram_lookup = True
        base_init, skip = self._base_init(func, node)
        arg_usage = Usage.MISUSED if isinstance(func, ast.Name) and func.id in _ITERATING_BUILTINS else Usage.VALUE
        callee_name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if callee_name in _SCHEDULERS and node.args:
            self.scheduled.add(id(node.args[0]))  # what it runs is a coroutine (see untyped_calls)
        for i, arg in enumerate(node.args):
            self.expr(arg, arg_usage)
            i -= skip  # ``Base.__init__(self, path)``: ``path`` is the constructor's first argument
            if i < 0:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, bool | int | float | type(None)):
                consts.append((i, arg.value))
            elif _in_memory_file(self.scope, arg):
                consts.append((i, kb.IN_MEMORY_FILE))
            elif (flag := _flag_argument(self.scope, arg)) is not None:
                consts.append((i, flag))
            elif _url_argument(self.scope, arg):
                consts.append((i, kb.URL_ARGUMENT))
            elif i == 0 and _version_probe(arg):
                consts.append((i, kb.VERSION_PROBE))
            elif _path_argument(arg):
                consts.append((i, kb.PATH_ARGUMENT))
        if any(kw.arg and _CALLBACK_KEYWORD.search(kw.arg) and isinstance(kw.value, ast.Name | ast.Attribute | ast.Lambda)
               for kw in node.keywords):
            consts.append((CALLBACKS, True))
        for kw in node.keywords:
            self.expr(kw.value, Usage.VALUE)
            if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(
                kw.value.value, bool | int | float | type(None)
            ):
                consts.append((kw.arg, kw.value.value))
            elif kw.arg and _in_memory_file(self.scope, kw.value):
                consts.append((kw.arg, kb.IN_MEMORY_FILE))
            elif kw.arg and (flag := _flag_argument(self.scope, kw.value)) is not None:
                consts.append((kw.arg, flag))
            elif kw.arg and _url_argument(self.scope, kw.value):
                consts.append((kw.arg, kb.URL_ARGUMENT))
            elif kw.arg and _path_argument(kw.value):
                consts.append((kw.arg, kb.PATH_ARGUMENT))
        if (
            self.filled_queues
            and isinstance(func, ast.Attribute)
            and func.attr == "get"
            and not node.args
            and ast.dump(func.value) in self.filled_queues
        ):
            # The test just saw an item: this ``get`` takes it without waiting.
            consts.append(("block", False))
        if (
            self.udp_sockets
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.udp_sockets
        ):
            consts.append(("udp", True))
        if isinstance(func, ast.Attribute) and func.attr == "setblocking" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and not arg.value:
                self.analysis.flag("nonblocking-sockets")
        where = _OFFLOADED_ARGUMENT.get(callee_name, -1)
        if 0 <= where < len(node.args):
            target = _unpartial(node.args[where])
            offloaded = self.scope.ref(target) if isinstance(target, ast.Name | ast.Attribute) else None
            if offloaded is not None:
                self.analysis.flag(f"{OFFLOADS_FLAG}{self.analysis.expand(offloaded)}@{node.lineno}")
        ref = base_init or self.scope.ref(func)
        if ref is None:
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id not in self.scope.bound  # a parameter (or a global)
            ):
                self.analysis.untyped_calls.setdefault((func.value.id, func.attr), []).append(
                    (Usage.AWAITED if id(node) in self.scheduled else usage, node, self.func.is_async,
                     tuple(self.branches))
                )
            if not (isinstance(func, ast.Attribute) and func.attr in _SPAWN_METHODS):
                return None
            # ``loop.create_task(...)`` on an object of unknown type: keep the
            # receiver's name so that the task rules can still judge it.
            receiver = func.value
            name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", "")
            ref = f"?{name}.{func.attr}"
        site = CallSite(
            ref=self.analysis.expand(ref),
            line=node.lineno,
            col=self.analysis.col(node.lineno, node.col_offset),
            end_line=node.end_lineno or node.lineno,
            end_col=self.analysis.col(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset),
            usage=usage,
            in_loop=self.loop_depth > 0,
            guarded=self.guard_depth > 0,
            consts=tuple(consts),
        )
        self.func.calls.append(site)
        return site

    def _base_init(self, func: ast.expr, node: ast.Call) -> tuple[str | None, int]:
        """In a constructor, ``super().__init__(...)`` or ``Base.__init__(self, ...)``: a call
        of the base class itself (its reference), and how many leading arguments to skip.

        So a project subclass of ``zipfile.ZipFile`` whose ``__init__`` hands the base an
        in-memory file opens no disk, and one handing it a path does (a constructor of its
        own hides the base's from the call site: see ProjectIndex._direct_blocking).
        """
        if not (isinstance(func, ast.Attribute) and func.attr == "__init__" and self.func.name == "__init__"):
            return None, 0
        cls = self.scope.cls
        info = self.analysis.summary.classes.get(cls) if cls is not None else None
        bases = [b for b in info.bases if b and b != "builtins.object"] if info is not None else []
        if not bases:
            return None, 0
        target = func.value
        if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super":
            return bases[0], 0
        named = self.scope.ref(target) if isinstance(target, ast.Name | ast.Attribute) else None
        if named in bases and node.args:
            return named, 1
        return None, 0

    def _forget_flow(self) -> None:
        """What a statement may assign anywhere in it is no longer known (a loop's next turn,
        a handler after part of a ``try``): forget everything, which is cheaper than finding
        those names and loses nothing but the types of names assigned more than once (the
        others keep the type all their assignments agree on, in ``Scope.types``), except
        the items loop variables hold in their loop (``pinned``)."""
        if self.scope.flow:
            self.scope.flow = dict(self.pinned) if self.pinned else {}

    def _items(self, node: ast.expr) -> Items | None:
        """What the container ``node`` evaluates to holds, where its type or value says."""
        if isinstance(node, ast.Name):
            return self.scope.items_of(node.id)
        if isinstance(node, ast.Attribute):
            value = node.value
            if isinstance(value, ast.Name) and value.id == self.scope.self_name and self.scope.cls:
                return self.analysis.class_items.get(self.scope.cls, {}).get(node.attr)
            return None
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            # ``self.screens[station]`` where it holds containers (``dict[str, set[Ws]]``)
            return _held_container(self._items(node.value))
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and not node.args and func.attr in ("values", "keys"):
                inner = self._items(func.value)
                if inner is None:
                    return None
                return (inner[1], None) if func.attr == "values" else (inner[0], None)
            if isinstance(func, ast.Attribute) and node.args and func.attr in ("get", "setdefault", "pop"):
                return _held_container(self._items(func.value))
            if (isinstance(func, ast.Name) and len(node.args) == 1 and func.id in _KEEPING
                    and self.scope.lookup(func.id) == "builtins." + func.id):
                return self._items(node.args[0])
            return None
        if isinstance(node, _COMP_TYPES) and len(node.generators) == 1:
            # ``{p.name: p for p in printers}``, ``[m for m in meters if m.on]``
            gen = node.generators[0]
            elt = node.value if isinstance(node, ast.DictComp) else node.elt
            if isinstance(elt, ast.Name) and isinstance(gen.target, ast.Name) and elt.id == gen.target.id:
                inner = self._items(gen.iter)
                if inner is not None and inner[0] is not None:
                    return (None, inner[0]) if isinstance(node, ast.DictComp) else (inner[0], None)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # ``meters or ()``: the container, or an empty one
            first, *rest = node.values
            empty = all(
                (isinstance(v, ast.List | ast.Tuple | ast.Set) and not v.elts)
                or (isinstance(v, ast.Dict) and not v.keys)
                for v in rest
            )
            return self._items(first) if empty else None
        return value_items(self.scope, node)

    def _taken(self, target: ast.expr, iterable: ast.expr, *, own: bool = False) -> dict[str, str | None]:
        """The loop variables of ``for target in iterable`` that hold a known type (the
        function's locals; with ``own``, a comprehension's variables, which are its own)."""
        out: dict[str, str | None] = {}
        scope = self.scope
        if isinstance(target, ast.Name):
            items = self._items(iterable)
            if items is not None and items[0] is not None and not items[0].startswith(NESTED):
                out[target.id] = items[0]
        elif isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(iterable, ast.Call):
            func, args = iterable.func, iterable.args
            second = target.elts[1]
            item: str | None = None
            if (isinstance(func, ast.Name) and func.id == "enumerate" and args
                    and scope.lookup("enumerate") == "builtins.enumerate"):
                items = self._items(args[0])
                item = items[0] if items is not None else None
            elif isinstance(func, ast.Attribute) and func.attr == "items" and not args:
                items = self._items(func.value)
                item = items[1] if items is not None else None
            if item is not None and isinstance(second, ast.Name) and not item.startswith(NESTED):
                out[second.id] = item
        if own:
            return out
        return {k: v for k, v in out.items() if k in scope.locals and k not in scope.nonlocal_names}

    def _note_return(self, value: ast.expr) -> None:
        func = self.func
        if func.is_async or func.returns is not None or func.kind not in ("function", "method", "staticmethod"):
            return
        if isinstance(value, ast.Constant) and value.value is None:
            return  # ``return None``: a factory that may give nothing (a missing config)
        if isinstance(value, ast.Call):
            ref = _call_ref(self.scope, value)
        elif isinstance(value, ast.Name):
            ref = self.scope.lookup(value.id)
            if ref is not None and not ref.endswith("()"):
                ref = None  # a module, a class or a function: not an instance of one
        else:
            ref = None
        self.returned.append(ref)

    def finish(self) -> None:
        """Resolve the usage of calls assigned to names, now that all loads are known."""
        func = self.func
        if self.returned and func.returns is None and not func.is_generator:
            refs = set(self.returned)
            if len(refs) == 1 and None not in refs:
                # every ``return`` gives an instance of the same type: the function's result
                func.returns = refs.pop()
        self.scope.flow = {}
        if not self.assigned:
            return
        if self.nested_nodes:
            wanted = {name for _, name in self.assigned}
            for node in self.nested_nodes:
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Name) and sub.id in wanted and isinstance(sub.ctx, ast.Load):
                        self.name_uses.setdefault(sub.id, []).append(Usage.VALUE)
        for site, name in self.assigned:
            uses = self.name_uses.get(name)
            if not uses:
                site.usage = Usage.UNUSED_NAME
            elif all(u == Usage.MISUSED for u in uses):
                site.usage = Usage.MISUSED
                if name in self.called_back:
                    site.consts = (*site.consts, (DONE_CALLBACK, True))


# ---------------------------------------------------------------------------
# Entry point


_NOQA = re.compile(r"#\s*noqa(?::[ \t]*(?P<codes>[A-Za-z]+[0-9]+(?:[ \t,]+[A-Za-z]+[0-9]+)*))?", re.I)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as the tokenizer numbers them (``str.splitlines`` also splits on form feeds)."""
    return _LINE_BREAK.split(text)


def _noqa_lines(source: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if "noqa" not in source and "NOQA" not in source:
        return out
    for lineno, line in enumerate(split_lines(source), start=1):
        if "#" not in line:
            continue
        m = _NOQA.search(line)
        if m is None:
            continue
        codes = m.group("codes")
        if codes:
            out[lineno] = sorted({c.upper() for c in re.split(r"[\s,]+", codes) if c})
        else:
            out[lineno] = []
    return out


def analyse_source(source: str | bytes, *, path: str, module: str, is_package: bool = False,
                   rules: tuple[Any, ...] | None = None, siblings: tuple[str, ...] = ()) -> FileSummary:
    """Parse and summarise one file; syntax errors are returned, not raised.

    A file the running Python cannot parse because it uses a newer Python's
    syntax gets a ``newer-python`` error naming that version (see :mod:`._newer`).
    """
    text: str
    if isinstance(source, bytes):
        try:
            text = _decode(source)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            error = ("unreadable", f"cannot decode: {exc}", None, None)
            return FileSummary(path, module, is_package, 0, error=error)
    else:
        text = source
    summary = FileSummary(path, module, is_package, text.count("\n") + 1)
    try:
        tree = parse_module(text, path)
    except SyntaxError as exc:
        summary.error = _syntax_error(text, exc)
        return summary
    except (ValueError, MemoryError, RecursionError) as exc:
        summary.error = ("syntax", str(exc) or type(exc).__name__, None, None)
        return summary
    summary.noqa = _noqa_lines(text)
    lines = None if text.isascii() else split_lines(text)
    analysis = ModuleAnalysis(tree, summary, lines, frozenset(siblings))
    try:
        _analyse_tree(analysis, summary, rules, lines)
        if "eprecat" in text:  # (Deprecated, deprecated)
            summary.flags.extend(f"{DEPRECATED_FLAG}{a}-{b}" for a, b in _deprecated_spans(tree.body))
        if "fixture" in text:
            summary.flags.extend(f"{TEST_CODE_FLAG}{a}-{b}" for a, b in _fixture_spans(tree.body))
        if any(word in text for word in _DEBUG_TEXT):
            summary.flags.extend(f"{DEBUG_FLAG}{a}-{b}" for a, b in _debug_spans(tree))
    finally:
        if FREE_TREES:
            # The scopes point back at their analysis: without this, the whole tree waits
            # for the cycle collector, which the engine keeps off while it analyses.
            analysis.scopes.clear()
    return summary


#: ``deprecated:<first line>-<last line>``: a class or function marked deprecated (see
#: :func:`_deprecated_spans`); the engine takes findings there as weaker evidence.
DEPRECATED_FLAG = "deprecated:"


def _deprecated_spans(body: list[ast.stmt]) -> Iterator[tuple[int, int]]:
    """Lines of the classes and functions marked deprecated: ``@deprecated(...)`` (PEP 702's
    ``warnings.deprecated``, ``typing_extensions``, the ``deprecated`` package...) or a
    docstring that says so (``.. deprecated::``, "Deprecated: ...")."""
    todo = list(body)
    while todo:
        node = todo.pop()
        if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        marked = any(
            _last_attr(d.func if isinstance(d, ast.Call) else d).lower().startswith("deprecat")
            for d in node.decorator_list
        )
        if not marked:
            doc = ast.get_docstring(node, clean=False) or ""
            marked = ".. deprecated::" in doc or doc.lstrip().lower().startswith("deprecated")
        if marked:
            yield node.lineno, node.end_lineno or node.lineno
        else:
            todo.extend(node.body)


#: ``test-code:<first line>-<last line>``: a pytest fixture outside a test module (a plugin
#: shipped in the package, ``myproject/pytest/fixtures.py``); test code like a test module.
TEST_CODE_FLAG = "test-code:"


def _fixture_spans(body: list[ast.stmt]) -> Iterator[tuple[int, int]]:
    """Lines of the functions decorated ``@pytest.fixture`` (``@pytest_asyncio.fixture``,
    ``@fixture(scope="session")``), at the top level or in a class."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            yield from _fixture_spans(node.body)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            _last_attr(d.func if isinstance(d, ast.Call) else d) == "fixture" for d in node.decorator_list
        ):
            yield node.lineno, node.end_lineno or node.lineno


#: ``debug-only:<first line>-<last line>``: code that runs only when a debugging or tracing
#: switch is on (see :func:`_debug_spans`); the engine takes findings there as weaker evidence.
DEBUG_FLAG = "debug-only:"

# Words a file must contain for a debugging switch to be looked for (substring tests are
# much cheaper than a regular expression over the whole text).
_DEBUG_TEXT = ("debug", "DEBUG", "Debug", "trace", "TRACE", "Trace", "tracing", "verbose", "VERBOSE",
               "dev_", "_dev", "DEV", '"dev"', "'dev'", "development")
_DEBUG_WORDS = frozenset({"debug", "debugging", "trace", "tracing", "verbose", "devmode"})
_DEV_SWITCH = frozenset({"is", "mode", "env", "environment", "enabled"})
# A request's trace id or span is data, not a switch (``if trace_id:``).
_TRACE_DATA = frozenset({"id", "ids", "span", "spans", "context", "ctx", "parent", "header", "headers"})
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,60}")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _debug_switch(test: ast.expr) -> bool:
    """Whether a condition names a debugging or tracing switch (``settings.DEBUG``,
    ``is_promptrace_enabled()``, ``os.getenv("APP_TRACE_DIR")``, ``__debug__``)."""
    if isinstance(test, ast.BoolOp):
        return isinstance(test.op, ast.And) and any(_debug_switch(v) for v in test.values)
    for node in ast.walk(test):
        if isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # An environment's name (``ENV == "dev"``) or a variable's (``getenv("APP_DEBUG")``).
            if node.value.lower() in ("dev", "development", "debug"):
                return True
            if not _ENV_NAME.fullmatch(node.value):
                continue
            text = node.value
        else:
            continue
        if text == "__debug__":
            return True
        low = text.lower()
        if "debug" not in low and "trac" not in low and "verbose" not in low and "dev" not in low:
            continue  # (the cheap test first: most names are not switches)
        words = [w.lower() for w in _WORD.findall(text)]
        if not _TRACE_DATA.isdisjoint(words):
            continue
        if any(w in _DEBUG_WORDS or w.endswith(("debug", "trace")) for w in words):
            return True
        # ``dev`` is also a device (``if dev.online:``): a switch only as a setting's
        # name (``DEV``, ``DEV_MODE``) or with a word saying so (``is_dev``, ``dev_mode``).
        if "dev" in words and (text.isupper() or not _DEV_SWITCH.isdisjoint(words)):
            return True
    return False


def _debug_spans(tree: ast.Module) -> Iterator[tuple[int, int]]:
    """Lines that run only under a debugging or tracing switch: the body of ``if <switch>:``
    (the ``else:`` of ``if not <switch>:``), and the rest of a function after
    ``if not <switch>: return``."""
    for node in _statements_of(tree.body):
        if isinstance(node, ast.If):
            negated = isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
            test = node.test.operand if isinstance(node.test, ast.UnaryOp) and negated else node.test
            block = node.orelse if negated else node.body
            if block and _debug_switch(test):
                yield block[0].lineno, block[-1].end_lineno or block[-1].lineno
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for index, stmt in enumerate(node.body[:-1]):
                if (isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1
                        and isinstance(stmt.body[0], ast.Return) and isinstance(stmt.test, ast.UnaryOp)
                        and isinstance(stmt.test.op, ast.Not) and _debug_switch(stmt.test.operand)):
                    rest = node.body[index + 1:]
                    yield rest[0].lineno, rest[-1].end_lineno or rest[-1].lineno
                    break


def _statements_of(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement under ``body``, nested blocks included (no expression is visited)."""
    todo: list[ast.stmt] = list(body)
    while todo:
        node = todo.pop()
        yield node
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                todo.extend(block)
        if isinstance(node, ast.Try | ast.TryStar):
            for handler in node.handlers:
                todo.extend(handler.body)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                todo.extend(case.body)


def _last_attr(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


#: Whether :func:`analyse_source` frees a file's tree as soon as it is done with it.  The
#: engine's worker processes do not (they exit instead, which is much cheaper).
FREE_TREES = True


def _analyse_tree(analysis: ModuleAnalysis, summary: FileSummary, rules: tuple[Any, ...] | None,
                  lines: list[str] | None) -> None:
    try:
        analysis.run()
    except RecursionError:
        summary.error = ("syntax", "too deeply nested to analyse", None, None)
        return
    if rules is None:
        from .rules import rule_instances

        rules = rule_instances()
    local_rules = [r for r in rules if type(r).check_function is not _base_check_function()]
    if local_rules:
        for scope, node in analysis.scopes:
            if not isinstance(node, _FUNC_OR_MODULE):
                continue
            ctx = FunctionContext(scope, node, analysis, lines)
            for rule in local_rules:
                if not ctx.is_async and not rule.sync_functions:
                    continue
                try:
                    summary.reports.extend(rule.check_function(ctx))
                except RecursionError:
                    # Pathologically deep code: this rule skips this function.
                    continue


def parse_module(text: str, path: str) -> ast.Module:
    """``ast.parse``, deaf to the warnings about the parsed code (invalid escapes...).

    They are the checked file's business, not ours: the caller's warning filters
    must never turn them into errors.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def _syntax_error(text: str, exc: SyntaxError) -> tuple[str, str, int | None, int | None]:
    from ._newer import newer_syntax  # only files that fail to parse need it

    newer = newer_syntax(text, exc)
    if newer is not None:
        running = (sys.version_info[0], sys.version_info[1])
        return ("newer-python", newer.message(running), newer.line, newer.column)
    return ("syntax", exc.msg or "invalid syntax", exc.lineno, exc.offset)


def _base_check_function() -> Any:
    from .rules._base import Rule

    return Rule.check_function


def _decode(data: bytes) -> str:
    """Decode source bytes honouring a PEP 263 coding cookie and a BOM."""
    import io
    import tokenize

    # Python 3.14's detect_encoding refuses null bytes: leave them to the parser, which
    # reports them as a syntax error (as every version's ``compile`` does).
    probe = data.replace(b"\0", b" ") if b"\0" in data else data
    encoding, _ = tokenize.detect_encoding(io.BytesIO(probe).readline)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


# ---------------------------------------------------------------------------
# What per-file rules see


class FunctionContext:
    """One function as a per-file rule sees it.

    ``node`` is the ``def``/``async def`` (or the module); :meth:`walk`
    yields the nodes of its own frame; :meth:`ref` and :meth:`lib` resolve
    expressions; :meth:`report` builds a finding at a node.
    """

    def __init__(self, scope: Scope, node: ast.AST, analysis: ModuleAnalysis,
                 lines: list[str] | None) -> None:
        self.scope = scope
        self.node = node
        self.info = scope.func
        self.is_async = scope.func.is_async
        self.module = analysis.module
        self.summary = analysis.summary
        self._analysis = analysis
        self._lines = lines
        self._nodes: list[ast.AST] | None = None
        self._parents: dict[int, ast.AST] | None = None

    @property
    def module_tree(self) -> ast.Module:
        """The syntax tree of the whole file the function is in."""
        return self._analysis.tree

    @property
    def body(self) -> list[ast.stmt]:
        if isinstance(self.node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef):
            return self.node.body
        return []

    def walk(self) -> list[ast.AST]:
        """The nodes of this function's own frame, in source order."""
        if self._nodes is None:
            nodes: list[ast.AST] = []
            for stmt in self.body:
                nodes.append(stmt)
                if isinstance(stmt, _SCOPE_TYPES):
                    continue
                nodes.extend(iter_scope(stmt))
            self._nodes = nodes
        return self._nodes

    def parent(self, node: ast.AST) -> ast.AST | None:
        if self._parents is None:
            parents: dict[int, ast.AST] = {}
            for stmt in self.body:
                parents[id(stmt)] = self.node
            for n in self.walk():
                if isinstance(n, _SCOPE_TYPES):
                    continue
                for child in ast.iter_child_nodes(n):
                    parents[id(child)] = n
            self._parents = parents
        return self._parents.get(id(node))

    def ref(self, node: ast.AST) -> str | None:
        ref = self.scope.ref(node)
        return self._analysis.expand(ref) if ref is not None else None

    def lib(self, node: ast.AST) -> LibValue | None:
        return self.scope.lib(node)

    @property
    def untyped_calls(
        self,
    ) -> dict[tuple[str, str], list[tuple[int, ast.Call, bool, tuple[tuple[int, int], ...]]]]:
        """The module's method calls on names of unknown type (see ModuleAnalysis)."""
        return self._analysis.untyped_calls

    def callee(self, call: ast.Call) -> str | None:
        """The dotted library name of what ``call`` calls (``T.m`` for a method)."""
        from ._refs import lib_qualname

        value = self.lib(call.func)
        return lib_qualname(value) if value is not None else None

    def col(self, lineno: int, byte_col: int) -> int:
        """A 1-based character column from ast's 0-based UTF-8 byte offset."""
        if self._lines is not None and 0 < lineno <= len(self._lines):
            line = self._lines[lineno - 1]
            if not line.isascii():
                return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace")) + 1
        return byte_col + 1

    def report(self, code: str, node: ast.AST, message: str, chain: tuple[str, ...] = (),
               *, end: ast.AST | None = None) -> Report:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        last = end if end is not None else node
        end_line = getattr(last, "end_lineno", None) or line
        end_col = getattr(last, "end_col_offset", None)
        if end_col is None:
            end_col = col
        return Report(code, line, self.col(line, col), end_line, self.col(end_line, end_col), message, chain)
