"""ADC102 thread-lock-across-await."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import FunctionContext, Report, iter_scope
from .._refs import LibObject, eval_lib, lib_mro, split_ref
from ._base import Rule, register
from ._util import short_source

#: The blocking locks of the ``threading`` module (not asyncio's).
_THREAD_LOCKS = frozenset(
    {
        "threading.Lock",
        "threading.RLock",
        "threading.Semaphore",
        "threading.BoundedSemaphore",
        "threading.Condition",
    }
)
_SUSPENDS = (ast.Await, ast.AsyncFor, ast.AsyncWith)


def _thread_lock_type(fn: FunctionContext, node: ast.expr, aliases: dict[str, ast.expr]) -> str | None:
    """The ``threading`` type of a lock expression, when the file says what it is."""
    for _ in range(4):  # lock = self._lock; with lock: ...
        if isinstance(node, ast.Name) and node.id in aliases:
            node = aliases[node.id]
        else:
            break
    if isinstance(node, ast.Call):
        return None  # ``with threading.Lock():`` a fresh lock nobody else can take
    ref = fn.ref(node)
    if ref is None:
        return None
    for _ in range(4):  # self.state.lock: each class of the chain may be one of this file's
        typed = _class_attr_type(fn, ref)
        if typed is None:
            break
        ref = typed
    value = eval_lib(ref)
    if not isinstance(value, LibObject):
        return None
    for t in lib_mro(value.type):
        if t in _THREAD_LOCKS:
            return value.type
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


def _local_aliases(fn: FunctionContext) -> dict[str, ast.expr]:
    """Names bound once in the function to a plain name or attribute: ``lock = self._lock``."""
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
    out: dict[str, ast.expr] = {}
    for name, values in bound.items():
        if len(values) == 1 and isinstance(values[0], ast.Name | ast.Attribute):
            out[name] = values[0]
    return out


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


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.AsyncFor):
        return f"`async for` (line {node.lineno})"
    if isinstance(node, ast.AsyncWith):
        return f"`async with {short_source(node.items[0].context_expr, '...', 40)}` (line {node.lineno})"
    return f"`{short_source(node, 'await', 50)}` (line {getattr(node, 'lineno', '?')})"


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


@register
class ThreadLockAcrossAwait(Rule):
    """## What it does
    Finds a `threading` lock (`Lock`, `RLock`, `Semaphore`,
    `BoundedSemaphore` or `Condition`) held across an `await` in an `async
    def`: `with lock:` whose body awaits (or runs `async for`/`async
    with`), or `lock.acquire()` followed by an `await` before
    `lock.release()`. What the lock is comes from the file: module globals,
    attributes set on `self` anywhere in the class or its bases in the same
    file, class attributes, annotated parameters and import aliases. A lock
    whose type is unknown is not reported, whatever its name.

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
        if not any(isinstance(n, ast.With) for n in nodes) and not any(
            isinstance(n, ast.Attribute) and n.attr == "acquire" for n in nodes
        ):
            return
        aliases = _local_aliases(fn)
        for node in nodes:
            if isinstance(node, ast.With):
                yield from self._check_with(fn, node, aliases)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "acquire"
            ):
                report = self._check_acquire(fn, node, node.func.value, aliases)
                if report is not None:
                    yield report

    def _check_with(self, fn: FunctionContext, node: ast.With,
                    aliases: dict[str, ast.expr]) -> Iterator[Report]:
        for item in node.items:
            lock_type = _thread_lock_type(fn, item.context_expr, aliases)
            if lock_type is None:
                continue
            suspension = _suspension(node.body)
            if suspension is None:
                return
            lock = short_source(item.context_expr, "lock", 40)
            yield fn.report(
                self.code, node, _message(f"`with {lock}:`", lock_type, suspension),
                end=item.context_expr,
            )
            return

    def _check_acquire(self, fn: FunctionContext, call: ast.Call, receiver: ast.expr,
                       aliases: dict[str, ast.expr]) -> Report | None:
        lock_type = _thread_lock_type(fn, receiver, aliases)
        if lock_type is None:
            return None
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
        if first is None:
            return None
        lock = short_source(receiver, "lock", 40)
        return fn.report(self.code, call, _message(f"`{lock}.acquire()`", lock_type, first))


def _message(what: str, lock_type: str, suspension: ast.AST) -> str:
    kind = lock_type.rpartition(".")[2]
    return (
        f"{what} holds a `threading.{kind}` across {_describe(suspension)}: while this task "
        f"waits, any other task on the loop that takes the lock blocks the whole event loop, "
        f"and the holder can never resume to release it (a deadlock); use an `asyncio.Lock` "
        f"with `async with`, or release the lock before awaiting"
    )
