"""ADC102 thread-lock-across-await.

A ``with lock:`` in an ``async def`` whose body awaits, or a ``lock.acquire()``
followed by an await before its ``release()``, where the lock is a thread
lock (``threading``, ``multiprocessing``).

Two stages.  Per file, a site is reported at once when the file says what
the lock is (a module global, an attribute of a class of the file, an
annotated parameter, an import alias).  When the file cannot tell, because
the lock is imported from another module of the project (``from .locks
import DB_LOCK``, ``locks.DB_LOCK``), set by a base class or a class of
another module, or typed with a name defined elsewhere, the site is written
down in the function's ``FuncInfo.fanouts`` as ``["ADC102", line, col,
[[ref, what, end_line, end_col], ...], suspension]`` (one item per lock the
``with`` takes) and the project stage reports it when the index finds that
the reference is bound to a thread lock.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from .._analysis import FunctionContext, Report, iter_scope
from .._index import PClass, PInst, PModule, ProjectIndex, ProjectReport
from .._refs import LibObject, eval_lib, lib_mro, split_ref
from ._base import Rule, register
from ._util import short_source

#: The blocking locks of the ``threading`` module (not asyncio's).
_THREAD_LOCKS = (
    "threading.Lock",
    "threading.RLock",
    "threading.BoundedSemaphore",
    "threading.Semaphore",
    "threading.Condition",
)
#: ``multiprocessing`` locks: they block the thread that waits for them just the
#: same, whether made by the module, a context or a manager
#: (``multiprocessing.get_context("spawn").Lock()``, ``Manager().RLock()``), or
#: named by their class in an annotation (``multiprocessing.synchronize.Lock``).
_PROCESS_LOCK = re.compile(
    r"^multiprocessing(?:\.\w+(?:\(\))?)*?\.(Lock|RLock|BoundedSemaphore|Semaphore|Condition)\(\)$"
)
#: The low-level locks ``threading`` is built on.
_LOW_LEVEL_LOCKS = {
    "_thread.allocate_lock()": "threading.Lock",
    "_thread.allocate()": "threading.Lock",
    "_thread.LockType()": "threading.Lock",
    "_thread.RLock()": "threading.RLock",
}
_SUSPENDS = (ast.Await, ast.AsyncFor, ast.AsyncWith)
_UNIONS = frozenset(
    {"typing.Union", "typing.Optional", "typing_extensions.Union", "typing_extensions.Optional"}
)


def _object_lock_type(type_name: str) -> str | None:
    """The thread lock type an instance of this library type is (``threading.Lock``), if any."""
    mro = lib_mro(type_name)
    return next((t for t in _THREAD_LOCKS if t in mro), None)


def _lib_lock_type(ref: str) -> str | None:
    """The thread lock type a library reference is an instance of, if any."""
    hit = _LOW_LEVEL_LOCKS.get(ref)
    if hit is not None:
        return hit
    if ref.startswith("multiprocessing."):
        m = _PROCESS_LOCK.match(ref)
        return f"multiprocessing.{m.group(1)}" if m else None
    value = eval_lib(ref)
    return _object_lock_type(value.type) if isinstance(value, LibObject) else None


def _lock_of(fn: FunctionContext, node: ast.expr, aliases: dict[str, ast.expr],
             bound: frozenset[str]) -> tuple[str | None, str | None]:
    """What a lock expression is: ``(type, None)`` when the file says it is a thread
    lock, ``(None, ref)`` when only the project can tell (an imported name, an
    attribute set in another module), ``(None, None)`` when it is none or unknown."""
    for _ in range(4):  # lock = self._lock; with lock: ...
        if isinstance(node, ast.Name) and node.id in aliases:
            node = aliases[node.id]
        else:
            break
    if isinstance(node, ast.Call):
        return None, None  # ``with threading.Lock():`` a fresh lock nobody else can take
    ref = fn.ref(node)
    if ref is None:
        if isinstance(node, ast.Name) and node.id not in bound:
            return _parameter_lock(fn, node.id), None
        return None, None
    for _ in range(4):  # self.state.lock: each class of the chain may be one of this file's
        typed = _class_attr_type(fn, ref)
        if typed is None:
            break
        ref = typed
    lock_type = _lib_lock_type(ref)
    if lock_type is not None:
        return lock_type, None
    if ref.startswith(("?", "builtins.")) or isinstance(eval_lib(ref), LibObject):
        return None, None  # an object of a known library type that is no thread lock
    return None, ref


def _parameter_lock(fn: FunctionContext, name: str) -> str | None:
    """``lock: threading.Lock | threading.RLock``: a parameter annotated with thread locks only.

    (A parameter annotated with one type is typed by the file already.)
    """
    node = fn.node
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    args = node.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        if arg.arg != name:
            continue
        members = _union_members(fn, arg.annotation, 0)
        if not members:
            return None
        types = []
        for member in members:
            ref = fn.ref(member)
            lock_type = _lib_lock_type(ref + "()") if ref is not None else None
            if lock_type is None:
                return None
            types.append(lock_type)
        return types[0]
    return None


def _union_members(fn: FunctionContext, node: ast.expr | None, depth: int) -> list[ast.expr] | None:
    """The types an annotation allows but ``None`` (``A | B``, ``Union[A, B]``, ``Optional[A]``)."""
    if node is None or depth > 8:
        return None
    if isinstance(node, ast.Constant):
        if node.value is None:
            return []
        if not isinstance(node.value, str):
            return None
        try:
            parsed = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
        return _union_members(fn, parsed, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = _union_members(fn, node.left, depth + 1)
        right = _union_members(fn, node.right, depth + 1)
        return None if left is None or right is None else [*left, *right]
    if isinstance(node, ast.Subscript) and fn.ref(node.value) in _UNIONS:
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        out: list[ast.expr] = []
        for elt in elts:
            inner = _union_members(fn, elt, depth + 1)
            if inner is None:
                return None
            out.extend(inner)
        return out
    if isinstance(node, ast.Name | ast.Attribute):
        return [node]
    return None


def _class_attr_type(fn: FunctionContext, ref: str) -> str | None:
    """``pkg.Cls().lock`` / ``pkg.Cls.lock``: the attribute's type, through the file's own bases."""
    segments = split_ref(ref)
    for i, seg in enumerate(segments[:-1]):
        head = ".".join([*segments[:i], seg.removesuffix("()")])
        if head not in fn.summary.classes:
            continue
        if seg.endswith("()()"):
            return None
        attr = segments[i + 1]
        found = _lookup(fn, head, attr)
        if not found:
            return None
        rest = segments[i + 2 :]
        return ".".join([found, *rest])
    return None


def _lookup(fn: FunctionContext, qualname: str, attr: str) -> str | None:
    """An attribute's type in a class of this file or its bases in this file ("" = conflicting)."""
    seen: set[str] = set()
    stack = [qualname]
    while stack:
        q = stack.pop(0)
        if q in seen:
            continue
        seen.add(q)
        cls = fn.summary.classes.get(q)
        if cls is None:
            continue
        hit = cls.attrs.get(attr)
        if hit is not None:
            return hit
        stack.extend(cls.bases)
    return None


def _local_bindings(fn: FunctionContext) -> tuple[dict[str, ast.expr], frozenset[str]]:
    """Names bound once in the function to a plain name or attribute (``lock = self._lock``),
    and every name the function binds (a parameter never rebound keeps its annotation)."""
    bound: dict[str, list[ast.expr | None]] = {}
    for node in fn.walk():
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
                else:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            bound.setdefault(sub.id, []).append(None)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and isinstance(
            node.target, ast.Name
        ):
            bound.setdefault(node.target.id, []).append(None)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.withitem | ast.comprehension):
            bound_to = node.optional_vars if isinstance(node, ast.withitem) else node.target
            for sub in ast.walk(bound_to) if bound_to is not None else ():
                if isinstance(sub, ast.Name):
                    bound.setdefault(sub.id, []).append(None)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                bound.setdefault(name, []).append(None)
    out: dict[str, ast.expr] = {}
    for name, values in bound.items():
        if len(values) == 1 and isinstance(values[0], ast.Name | ast.Attribute):
            out[name] = values[0]
    return out, frozenset(bound)


def _suspension(body: list[ast.stmt]) -> ast.AST | None:
    """The first ``await``/``async for``/``async with`` run in this frame by these statements."""
    for stmt in body:
        nested = isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for node in (stmt,) if nested else (stmt, *iter_scope(stmt)):
            if isinstance(node, _SUSPENDS):
                return node
            if isinstance(node, ast.comprehension) and node.is_async:
                return node.iter
    return None


def _held_suspension(fn: FunctionContext, call: ast.Call, receiver: ast.expr) -> ast.AST | None:
    """The first suspension after ``lock.acquire()`` and before the next ``lock.release()``."""
    key = ast.dump(receiver)
    start = _position(call)
    release: tuple[int, int] | None = None
    for node in fn.walk():
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "release"
            and ast.dump(node.func.value) == key
            and _position(node) > start
            and (release is None or _position(node) < release)
        ):
            release = _position(node)
    first: ast.AST | None = None
    for node in fn.walk():
        suspends = isinstance(node, _SUSPENDS) or (
            isinstance(node, ast.comprehension) and node.is_async
        )
        if not suspends:
            continue
        where = _position(node.iter if isinstance(node, ast.comprehension) else node)
        if where <= start or (release is not None and where > release):
            continue
        if isinstance(node, ast.Await) and node.value is call:
            continue
        if first is None or where < _position(first):
            first = node.iter if isinstance(node, ast.comprehension) else node
    return first


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.AsyncFor):
        return f"`async for` (line {node.lineno})"
    if isinstance(node, ast.AsyncWith):
        return f"`async with {short_source(node.items[0].context_expr, '...', 40)}` (line {node.lineno})"
    return f"`{short_source(node, 'await', 50)}` (line {getattr(node, 'lineno', '?')})"


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class _Resolver:
    """What a reference written down by the per-file stage is bound to, across the project."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.memo: dict[str, str | None] = {}

    def lock_type(self, ref: str, depth: int = 0) -> str | None:
        """The thread lock type the reference denotes an instance of, if any."""
        if ref in self.memo:
            return self.memo[ref]
        if depth > 12:
            return None
        self.memo[ref] = None  # breaks cycles (``A = b.B`` / ``B = a.A``)
        result = _lib_lock_type(ref) or self._follow(ref, depth)
        self.memo[ref] = result
        return result

    def _follow(self, ref: str, depth: int) -> str | None:
        index = self.index
        segments = split_ref(ref)
        last = segments[-1]
        if len(segments) > 1 and not last.endswith("()") and not last.startswith("[]"):
            # A name of a module (``locks.DB_LOCK``), or an attribute of a class or of its
            # instances, in any module: follow what it is bound to, which may be a library
            # object the knowledge does not evaluate (``multiprocessing.Lock()``).
            owner = index.evaluate(".".join(segments[:-1]))
            target: str | None = None
            if isinstance(owner, PModule):
                module = index.module(owner.name)
                target = module.symbols.get(last) if module is not None else None
            elif isinstance(owner, PClass | PInst):
                hit = index._class_attr(owner.qualname, last)
                if isinstance(hit, LibObject):
                    return _object_lock_type(hit.type)
                target = hit if isinstance(hit, str) else None
            if target is not None:
                return self.lock_type(target, depth + 1) if target else None  # "": conflicting
        value = index.evaluate(ref)
        if isinstance(value, LibObject):
            return _object_lock_type(value.type)
        if isinstance(value, PInst):  # a project class derived from a lock (``threading.Semaphore``)
            for cls in index.mro(value.qualname):
                if isinstance(cls, LibObject):
                    lock_type = _lib_lock_type(cls.type + "()")
                    if lock_type is not None:
                        return lock_type
        return None


@register
class ThreadLockAcrossAwait(Rule):
    """## What it does
    Finds a `threading` lock (`Lock`, `RLock`, `Semaphore`,
    `BoundedSemaphore` or `Condition`), or the same lock of `multiprocessing`,
    held across an `await` in an `async def`: `with lock:` whose body awaits
    (or runs `async for`/`async with`), or `lock.acquire()` followed by an
    `await` before `lock.release()`. What the lock is comes from the whole
    project: module globals, also imported from another module (`from
    .ratelimit import STRIPE_LOCK`, `locks.DB_LOCK`), attributes set on
    `self` anywhere in the class or its bases (in any module), class
    attributes, annotated parameters (`lock: threading.Lock | None`),
    functions whose return annotation names a lock, and import aliases. A
    lock whose type is unknown is not reported, whatever its name.

    ## Why is this bad?
    A thread lock blocks the *thread* that waits for it, and every task of an
    event loop runs on the same thread. While one task awaits with the lock
    held, the loop runs other tasks; the first one that tries to take the
    same lock blocks the whole loop, so the task holding it can never resume
    to release it: the program deadlocks (with an `RLock`, the other task
    even gets the lock, since it is the same thread, and the lock protects
    nothing).

    ## Example
    ```python
    import asyncio
    import threading


    class Cache:
        def __init__(self) -> None:
            self._lock = threading.Lock()
            self._data: dict[str, bytes] = {}

        async def refresh(self, key: str) -> None:
            with self._lock:
                await asyncio.sleep(1)
                self._data[key] = b"fresh"
    ```

    ## Use instead
    ```python
    import asyncio


    class Cache:
        def __init__(self) -> None:
            self._lock = asyncio.Lock()
            self._data: dict[str, bytes] = {}

        async def refresh(self, key: str) -> None:
            async with self._lock:
                await asyncio.sleep(1)
                self._data[key] = b"fresh"
    ```
    When the lock also guards data shared with other threads, keep the
    thread lock but hold it only around synchronous code: compute first,
    then take the lock to update the shared state, without awaiting inside.

    ## Fix safety
    No automatic fix: switching to `asyncio.Lock` is only right when no
    other thread takes the lock, and moving the `await` out changes what the
    lock protects.
    """

    code = "ADC102"
    name = "thread-lock-across-await"
    category = "blocking"
    summary = "Thread lock held across an await"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        nodes = fn.walk()
        if not any(
            isinstance(n, ast.With) or (isinstance(n, ast.Attribute) and n.attr == "acquire")
            for n in nodes
        ):
            return
        aliases, bound = _local_bindings(fn)
        for node in nodes:
            if isinstance(node, ast.With):
                yield from self._check_with(fn, node, aliases, bound)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "acquire"
            ):
                yield from self._check_acquire(fn, node, node.func.value, aliases, bound)

    def _check_with(self, fn: FunctionContext, node: ast.With, aliases: dict[str, ast.expr],
                    bound: frozenset[str]) -> Iterator[Report]:
        suspension: ast.AST | None = None
        deferred: list[list[Any]] = []
        for item in node.items:
            lock_type, ref = _lock_of(fn, item.context_expr, aliases, bound)
            if lock_type is None and ref is None:
                continue
            if suspension is None:
                suspension = _suspension(node.body)
                if suspension is None:
                    return
            what = f"`with {short_source(item.context_expr, 'lock', 40)}:`"
            if lock_type is not None:
                yield fn.report(self.code, node, _message(what, lock_type, _describe(suspension)),
                                end=item.context_expr)
                return
            end = fn.report(self.code, node, "", end=item.context_expr)
            deferred.append([ref, what, end.end_line, end.end_col])
        if deferred and suspension is not None:
            self._defer(fn, node, deferred, suspension)

    def _check_acquire(self, fn: FunctionContext, call: ast.Call, receiver: ast.expr,
                       aliases: dict[str, ast.expr], bound: frozenset[str]) -> Iterator[Report]:
        lock_type, ref = _lock_of(fn, receiver, aliases, bound)
        if lock_type is None and ref is None:
            return
        first = _held_suspension(fn, call, receiver)
        if first is None:
            return
        what = f"`{short_source(receiver, 'lock', 40)}.acquire()`"
        if lock_type is not None:
            yield fn.report(self.code, call, _message(what, lock_type, _describe(first)))
            return
        end = fn.report(self.code, call, "")
        self._defer(fn, call, [[ref, what, end.end_line, end.end_col]], first)

    def _defer(self, fn: FunctionContext, node: ast.AST, items: list[list[Any]],
               suspension: ast.AST) -> None:
        """Leave a site whose lock only the project can name to :meth:`check_project`."""
        at = fn.report(self.code, node, "")
        fn.info.fanouts.append([self.code, at.line, at.col, items, _describe(suspension)])

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        resolver = _Resolver(index)
        for info, summary in index.iter_functions():
            for entry in info.fanouts:
                if not entry or entry[0] != self.code:
                    continue  # another rule's entry
                try:
                    _code, line, col, items, suspension = entry
                    sites = [(str(ref), str(what), int(end_line), int(end_col))
                             for ref, what, end_line, end_col in items]
                except (TypeError, ValueError):
                    continue  # not written by this version of the rule
                for ref, what, end_line, end_col in sites:
                    lock_type = resolver.lock_type(ref)
                    if lock_type is not None:
                        yield ProjectReport(summary.path, self.code, line, col, end_line, end_col,
                                            _message(what, lock_type, suspension))
                        break


def _message(what: str, lock_type: str, suspension: str) -> str:
    if lock_type.startswith("multiprocessing."):
        fix = ("release the lock before awaiting (an `asyncio.Lock` cannot stand in for a lock "
               "shared with other processes)")
    else:
        fix = "use an `asyncio.Lock` with `async with`, or release the lock before awaiting"
    return (
        f"{what} holds a `{lock_type}` across {suspension}: while this task waits, any other "
        f"task on the loop that takes the lock blocks the whole event loop, and the holder can "
        f"never resume to release it (a deadlock); {fix}"
    )
