"""ADC601 swallowed-cancel."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from .._analysis import TEMPLATE_NODES, FunctionContext, Report
from ._base import Rule, register
from ._progress import exit_after_success
from ._util import comment_says, in_test_code, name_of

# What ``except`` clauses name when they mean "the task was cancelled".
_CANCEL_TYPES = frozenset(
    {
        "asyncio.CancelledError",
        "asyncio.exceptions.CancelledError",
        "asyncio.futures.CancelledError",
        "trio.Cancelled",
    }
)
_CANCEL_FACTORIES = frozenset({"anyio.get_cancelled_exc_class"})
_BROAD_TYPES = frozenset({"builtins.BaseException"})

# Cleanup helpers that wait for tasks: ``await asyncio.gather(*tasks)`` after
# cancelling them is the canonical way to wait for the cancellation to finish.
_TASK_WAITERS = frozenset({"asyncio.gather", "asyncio.wait", "asyncio.wait_for", "asyncio.shield"})

_COPIES = frozenset({"list", "set", "tuple", "sorted", "frozenset"})

# Calls that end the function as surely as ``raise`` does.
_RAISING_CALLS = frozenset({"pytest.fail", "pytest.skip", "pytest.exit", "sys.exit", "os._exit", "os.abort"})

_EXC_CAPTURE = frozenset({"sys.exc_info", "sys.exception"})

# Awaiting one of these never returns: only a cancellation ends it.
_FOREVER = frozenset({"anyio.sleep_forever", "trio.sleep_forever"})
_SLEEPS = frozenset({"asyncio.sleep", "anyio.sleep", "trio.sleep"})

_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "trace",
     "msg", "print_exc", "format_exc", "print_exception", "format_exception", "exc"}
)
_INSPECTORS = frozenset({"isinstance", "issubclass", "str", "repr", "type", "print", "format", "id"})

_MAIN_NAMES = frozenset({"main", "amain", "_main", "async_main", "_amain", "main_async"})

_LOOPS = (ast.While, ast.For, ast.AsyncFor)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _frame(nodes: list[ast.stmt] | list[ast.AST]) -> Iterator[ast.AST]:
    """Every node below ``nodes`` in the same frame (nested defs are not entered)."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _FUNCS):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _cancellation_points(nodes: list[ast.stmt]) -> list[ast.AST]:
    """The awaits, ``async with`` and ``async for`` (and async comprehensions) in ``nodes``."""
    out: list[ast.AST] = []
    for node in _frame(nodes):
        if isinstance(node, ast.Await | ast.AsyncWith | ast.AsyncFor) or (
            isinstance(node, ast.comprehension) and node.is_async
        ):
            out.append(node)
    return out


def _has_cancellation_point(nodes: list[ast.stmt]) -> bool:
    for node in _frame(nodes):
        if isinstance(node, ast.Await | ast.AsyncWith | ast.AsyncFor):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
    return False


class _Caught:
    """How an exception clause relates to cancellation."""

    NONE = 0
    EXPLICIT = 1  # names CancelledError (or trio/anyio's cancellation)
    BROAD = 2  # bare ``except:`` or ``BaseException``
    MAYBE = 3  # a ``CancelledError`` imported from a project module: which one is unknown


# Where a ``CancelledError`` that means the task's cancellation can come from.
_CANCEL_MODULES = ("asyncio.", "trio.", "anyio.", "uvloop.")


def _caught(fn: FunctionContext, node: ast.expr | None) -> int:
    if node is None:
        return _Caught.BROAD
    elts = node.elts if isinstance(node, ast.Tuple) else [node]
    result = _Caught.NONE
    for elt in elts:
        if isinstance(elt, ast.Starred):
            continue
        if isinstance(elt, ast.Call):
            ref = fn.ref(elt.func)
            # anyio re-exports it from private modules: match the name wherever it comes from.
            if ref in _CANCEL_FACTORIES or name_of(elt.func) == "get_cancelled_exc_class":
                return _Caught.EXPLICIT
            continue
        ref = fn.ref(elt)
        if ref in _CANCEL_TYPES:
            return _Caught.EXPLICIT
        if ref in _BROAD_TYPES:
            result = _Caught.BROAD
        elif name_of(elt) == "CancelledError":
            if ref is None or ref.startswith(_CANCEL_MODULES):
                return _Caught.EXPLICIT
            if ref.startswith(("concurrent.", f"{fn.module}.")):
                # concurrent.futures.CancelledError is an Exception, not the task's
                # cancellation; a class of this module is the module's own.
                continue
            if result == _Caught.NONE:
                result = _Caught.MAYBE  # from another module of the project: often a re-export
    return result


def _is_log_call(fn: FunctionContext, call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in _LOG_METHODS
    if isinstance(func, ast.Name):
        return func.id in _INSPECTORS or func.id in _LOG_METHODS
    return False


def _passes_on(fn: FunctionContext, handler: ast.ExceptHandler) -> bool:
    """Whether the handler hands the caught exception to someone (a future, a list, an attribute)."""
    name = handler.name
    if not name:
        return False
    parents: dict[int, ast.AST] = {}
    for node in _frame(handler.body):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in _frame(handler.body):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.keyword):
            parent = parents.get(id(parent))
        if isinstance(parent, ast.Call):
            if parent.func is node or _is_log_call(fn, parent):
                continue
            return True
        if isinstance(parent, (ast.Attribute, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp,
                               ast.Expr, ast.Raise, *TEMPLATE_NODES)):
            # ``raise Other() from exc`` names it as a cause; whether a raise re-raises
            # the cancellation is judged by _handles.
            continue
        # Assigned, returned, yielded, put in a container: handed on.
        return True
    return False


def _reraises(node: ast.Raise, bound: str | None) -> bool:
    """``raise``, ``raise exc`` (the caught one) or ``raise CancelledError()``: the cancellation goes on."""
    exc = node.exc
    if exc is None:
        return True
    if isinstance(exc, ast.Name) and exc.id == bound:
        return True
    return any(
        isinstance(n, ast.Name | ast.Attribute) and "Cancel" in (n.id if isinstance(n, ast.Name) else n.attr)
        for n in ast.walk(exc)
    )


def _handles(fn: FunctionContext, body: list[ast.stmt], *, broad: bool = False,
             bound: str | None = None) -> bool:
    """Whether a handler re-raises, ends the program, or deals with the cancellation explicitly.

    A catch-all (``except:``/``except BaseException``) that raises a *different*
    exception turns the cancellation into an error by accident; an explicit
    ``except CancelledError`` that does so (``raise TimeoutError``) means it.
    """
    flags: set[str] = set()
    for node in _frame(body):
        if isinstance(node, ast.Raise):
            if not broad or _reraises(node, bound):
                return True
            continue
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("uncancel", "cancel"):
                # Forwarded to another task/future, or the 3.11 uncancel() protocol.
                return True
            ref = fn.ref(func)
            if ref in _RAISING_CALLS or ref in _EXC_CAPTURE:
                # pytest.fail(), sys.exit(); sys.exc_info() keeps the exception to raise later
                return True
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            flags.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return bool(flags) and _raised_later(fn, flags)


def _raised_later(fn: FunctionContext, flags: set[str]) -> bool:
    """``cancelled = True`` in the handler, then ``if cancelled: raise`` later: a deferred re-raise."""
    for node in fn.walk():
        if not isinstance(node, ast.If):
            continue
        if not any(isinstance(n, ast.Name) and n.id in flags for n in ast.walk(node.test)):
            continue
        if any(isinstance(n, ast.Raise) for n in _frame(node.body)):
            return True
    return False



class _FunctionFacts:
    """What the exemptions need to know about the whole function, computed once."""

    def __init__(self, fn: FunctionContext) -> None:
        self.self_cancel = False  # ``asyncio.current_task().cancel()``: the test/helper cancels itself
        current_task_names: set[str] = set()
        cancelled: list[ast.expr] = []
        for node in fn.walk():
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "cancel":
                    cancelled.append(func.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
                value = node.value
                if value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if isinstance(value, ast.Call) and any(
                    isinstance(c, ast.Call) and name_of(c.func) == "current_task" for c in ast.walk(value)
                ):
                    current_task_names.update(t.id for t in targets if isinstance(t, ast.Name))
        for receiver in cancelled:
            if (isinstance(receiver, ast.Call) and name_of(receiver.func) == "current_task") or (
                isinstance(receiver, ast.Name) and receiver.id in current_task_names
            ):
                self.self_cancel = True


def _waits_for_tasks(fn: FunctionContext, points: list[ast.AST]) -> bool:
    """Whether every cancellation point only waits for existing tasks or futures.

    ``await task`` (a name, attribute or subscript, not a coroutine call),
    possibly through ``asyncio.gather``/``wait``/``wait_for``/``shield`` (or
    a project's own ``wait_for``), possibly under ``async with
    asyncio.timeout(...)``: catching ``CancelledError`` there is how one waits
    for a task one has cancelled, or learns that a task was cancelled by
    someone else.
    """
    if not points:
        return False
    awaited = False
    for point in points:
        if isinstance(point, ast.AsyncWith) and all(_is_timeout(fn, item.context_expr) for item in point.items):
            continue
        if not isinstance(point, ast.Await):
            return False
        if not _awaits_objects(fn, point.value):
            return False
        awaited = True
    return awaited


_TIMEOUTS = frozenset({"asyncio.timeout", "asyncio.timeout_at", "async_timeout.timeout", "anyio.fail_after",
                       "anyio.move_on_after"})


def _is_timeout(fn: FunctionContext, expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and (fn.callee(expr) in _TIMEOUTS or fn.ref(expr.func) in _TIMEOUTS)


def _is_waiter(fn: FunctionContext, call: ast.Call) -> bool:
    callee = fn.callee(call)
    if callee in _TASK_WAITERS:
        return True
    # A project's own ``wait_for(fut, timeout)`` helper (distributed.utils.wait_for...).
    return name_of(call.func) in ("wait_for", "shield", "gather")


def _awaits_objects(fn: FunctionContext, node: ast.expr, depth: int = 0) -> bool:
    if isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
        # A task or future made elsewhere; its own cancellation is caught here.
        return True
    if isinstance(node, ast.Call) and depth < 4 and _is_waiter(fn, node):
        leaves: list[ast.expr] = list(node.args)
        if name_of(node.func) in ("wait_for", "shield", "wait"):
            leaves = leaves[:1]  # the rest is a timeout
        if not leaves:
            return False
        for leaf in leaves:
            if isinstance(leaf, ast.Starred):
                leaf = leaf.value
            if isinstance(leaf, ast.Call):
                if _is_waiter(fn, leaf):
                    # wait_for(shield(task), 1)
                    if not _awaits_objects(fn, leaf, depth + 1):
                        return False
                    continue
                func = leaf.func
                if isinstance(func, ast.Attribute) and func.attr in ("values", "copy", "keys") and not leaf.args:
                    leaf = func.value  # tasks.values(), pending.copy()
                elif isinstance(func, ast.Name) and func.id in _COPIES and len(leaf.args) == 1:
                    leaf = leaf.args[0]  # list(tasks), set(self._tasks)
            if isinstance(leaf, ast.ListComp | ast.SetComp | ast.GeneratorExp):
                leaf = leaf.elt
            if isinstance(leaf, ast.Constant):
                continue  # a timeout
            if not isinstance(leaf, ast.Name | ast.Attribute | ast.Subscript | ast.Tuple | ast.List | ast.Set):
                return False
            if isinstance(leaf, ast.Tuple | ast.List | ast.Set) and not all(
                isinstance(e, ast.Name | ast.Attribute | ast.Subscript) for e in leaf.elts
            ):
                return False
        return True
    return False


def _sleeps_forever(fn: FunctionContext, points: list[ast.AST]) -> bool:
    """``await asyncio.sleep(math.inf)`` / ``sleep_forever()`` / ``Event().wait()``: only a cancel ends it."""
    if len(points) != 1 or not isinstance(points[0], ast.Await):
        return False
    call = points[0].value
    if not isinstance(call, ast.Call):
        return False
    callee = fn.callee(call)
    if callee in _FOREVER:
        return True
    if callee in _SLEEPS and call.args:
        arg = call.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, int | float) and arg.value >= 3600:
            return True
        if fn.ref(arg) == "math.inf":
            return True
        # float("inf")
        return (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "float"
                and len(arg.args) == 1 and isinstance(arg.args[0], ast.Constant)
                and str(arg.args[0].value).lower() in ("inf", "infinity"))
    # asyncio.Event().wait() / asyncio.Future(): nobody else can set them.
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "wait" and isinstance(func.value, ast.Call):
        return fn.callee(func.value) in ("asyncio.Event", "anyio.Event", "trio.Event")
    return False


class _After:
    LOOP = "loop"  # the enclosing loop goes round again
    CONTINUES = "continues"  # the function awaits more things afterwards
    ENDS = "ends"  # the function ends (returns) soon after


def _exits(body: list[ast.stmt]) -> tuple[bool, bool]:
    """Whether a block contains a ``return``, and a ``break`` of the enclosing loop."""
    returns = breaks = False
    stack: list[tuple[ast.AST, bool]] = [(s, False) for s in body]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, ast.Return):
            returns = True
        elif isinstance(node, ast.Break) and not in_loop:
            breaks = True
        if isinstance(node, _FUNCS):
            continue
        inner = in_loop or isinstance(node, _LOOPS)
        stack.extend((c, inner) for c in ast.iter_child_nodes(node))
    return returns, breaks


def _containing_list(parent: ast.AST, node: ast.AST) -> list[ast.stmt] | None:
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is node for s in block):
            return block
    return None


def _after(fn: FunctionContext, stmt: ast.stmt, handler_body: list[ast.stmt]) -> str:
    """What happens once the handler has swallowed the cancellation."""
    returns, breaks = _exits(handler_body)
    if returns:
        return _After.ENDS
    node: ast.AST = stmt
    while True:
        parent = fn.parent(node)
        if parent is None:
            return _After.ENDS
        block = _containing_list(parent, node)
        in_loop_body = isinstance(parent, _LOOPS) and block is not None and block is parent.body
        if block is not None and not breaks:
            idx = next(i for i, s in enumerate(block) if s is node)
            if _has_cancellation_point(block[idx + 1:]):
                return _After.LOOP if in_loop_body else _After.CONTINUES
        if in_loop_body:
            if not breaks:
                return _After.LOOP
            breaks = False  # the handler leaves this loop; what follows it still runs
        elif (isinstance(parent, ast.Try | ast.TryStar) and block is parent.body and not breaks
              and _has_cancellation_point(parent.orelse)):
            return _After.CONTINUES
        if parent is fn.node:
            return _After.ENDS
        node = parent


def _returns_value(fn: FunctionContext) -> bool:
    return any(
        isinstance(node, ast.Return) and node.value is not None
        and not (isinstance(node.value, ast.Constant) and node.value.value is None)
        for node in fn.walk()
    )


_SHIELDS = frozenset({"anyio.CancelScope", "trio.CancelScope", "anyio.move_on_after", "anyio.fail_after",
                      "trio.move_on_after", "trio.fail_after"})


def _is_shield(fn: FunctionContext, expr: ast.expr) -> bool:
    """``anyio.CancelScope(shield=True)``: no cancellation is delivered inside."""
    if not isinstance(expr, ast.Call):
        return False
    if not any(k.arg == "shield" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in expr.keywords):
        return False
    return fn.callee(expr) in _SHIELDS or name_of(expr.func) in ("CancelScope", "move_on_after", "fail_after")


def _protected(fn: FunctionContext, stmt: ast.AST) -> bool:
    """Whether a swallow sits where the cancellation is already dealt with.

    In a ``finally:`` block the exception that brought us there (the
    cancellation included) goes on once the block ends; in an ``except``
    handler that re-raises, so does the one it caught; in a shielded cancel
    scope no cancellation arrives. A cleanup step that ignores a second
    cancellation there loses nothing.
    """
    node = stmt
    while True:
        parent = fn.parent(node)
        if parent is None or parent is fn.node:
            return False
        if isinstance(parent, ast.Try | ast.TryStar) and any(s is node for s in parent.finalbody):
            return True
        if isinstance(parent, ast.ExceptHandler) and _handles(fn, parent.body, broad=True, bound=parent.name):
            return True
        if isinstance(parent, ast.With | ast.AsyncWith) and any(
            _is_shield(fn, item.context_expr) for item in parent.items
        ):
            return True
        node = parent


_CLEANUP_WORDS = ("close", "aclose", "shutdown", "stop", "disconnect", "cleanup", "clean_up", "teardown",
                  "tear_down", "release", "terminate", "kill", "unsubscribe", "finalize", "dispose",
                  "cancel", "wait_closed", "unlink", "remove")


def _is_cleanup_name(name: str | None) -> bool:
    if not name:
        return False
    name = name.strip("_").lower()
    return any(name == w or name.startswith(f"{w}_") or name.endswith(f"_{w}") for w in _CLEANUP_WORDS)


def _cleanup_only(fn: FunctionContext, points: list[ast.AST]) -> bool:
    """Whether every await only closes or releases something (``await conn.aclose()``).

    Best-effort cleanup that ignores every error, the cancellation included,
    is a deliberate choice more often than a mistake.
    """
    if not points:
        return False
    for point in points:
        if not isinstance(point, ast.Await):
            return False
        value = point.value
        if isinstance(value, ast.Call) and _is_waiter(fn, value) and value.args:
            value = value.args[0]  # asyncio.shield(conn.close())
        if isinstance(value, ast.Name | ast.Attribute | ast.Subscript):
            continue  # a task being waited for
        if not (isinstance(value, ast.Call) and _is_cleanup_name(name_of(value.func))):
            return False
    return True


def _records(fn: FunctionContext, handler_body: list[ast.stmt]) -> bool:
    """``cancelled = True`` in the handler, read later: the cancellation is recorded and acted on."""
    flags: set[str] = set()
    for node in _frame(handler_body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(
            node.value.value, bool
        ):
            flags.update(t.id for t in node.targets if isinstance(t, ast.Name))
    if not flags:
        return False
    inside = {id(n) for n in _frame(handler_body)}
    return any(
        isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in flags and id(n) not in inside
        for n in fn.walk()
    )


def _top_level_tail(fn: FunctionContext, stmt: ast.AST) -> bool:
    """Whether ``stmt`` is at the top level of the function (only ``with``/``try`` around it,
    or a handler of such a ``try``: a failure report built in ``except BaseException``)
    and what follows it has no loop that awaits: the function finishes up and ends."""
    node = stmt
    while True:
        parent = fn.parent(node)
        if parent is None:
            return False
        if parent is fn.node:
            break
        if not isinstance(parent, ast.With | ast.AsyncWith | ast.Try | ast.TryStar | ast.ExceptHandler):
            return False
        node = parent
    body = fn.body
    idx = next(i for i, s in enumerate(body) if s is node)
    return not any(isinstance(n, _LOOPS) and _has_cancellation_point([n]) for n in _frame(body[idx + 1:]))


class _ModuleFacts:
    """The module's ``await f(...)`` sites by callee name, and every node's parent."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[int, ast.AST] = {}
        self.awaits: dict[str, list[ast.Await]] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
                call = node.value
                calls = [call, *(a for a in call.args if isinstance(a, ast.Call))]  # wait_for(f(), 10)
                for c in calls:
                    func = c.func
                    if isinstance(func, ast.Name) or (
                        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                        and func.value.id in ("self", "cls")
                    ):
                        self.awaits.setdefault(name_of(func) or "", []).append(node)


_MODULE_CACHE: list[_ModuleFacts] = []


def _module_facts(fn: FunctionContext) -> _ModuleFacts | None:
    tree = fn.module_tree
    if _MODULE_CACHE and _MODULE_CACHE[0].tree is tree:
        return _MODULE_CACHE[0]
    facts = _ModuleFacts(tree)
    _MODULE_CACHE[:] = [facts]
    return facts


def _caller_carries_on(fn: FunctionContext) -> tuple[str, int] | None:
    """A caller in this module that awaits the function and then awaits more: its name and line.

    After a swallowed cancellation the callee returns normally, so such a caller
    goes on (or goes round its loop again) as if it had never been cancelled.
    """
    node = fn.node
    if not isinstance(node, ast.AsyncFunctionDef):
        return None
    facts = _module_facts(fn)
    if facts is None:
        return None
    for site in facts.awaits.get(node.name, ()):
        call = site.value
        assert isinstance(call, ast.Call)
        func = call.func if name_of(call.func) == node.name else None
        if func is None:
            func = next(a.func for a in call.args if isinstance(a, ast.Call) and name_of(a.func) == node.name)
        if isinstance(func, ast.Attribute) != (fn.info.cls is not None):
            continue  # self.f() names a method, f() a function
        caller = _continues_after(facts, site)
        if caller is not None and caller is not node:
            return caller.name, site.lineno
    return None


def _continues_after(facts: _ModuleFacts, site: ast.AST) -> ast.AsyncFunctionDef | None:
    """The function that awaits at ``site``, when it awaits more afterwards (or loops)."""
    node: ast.AST = site
    while not isinstance(node, ast.stmt):
        parent = facts.parents.get(id(node))
        if parent is None:
            return None
        node = parent
    if isinstance(node, ast.Return):
        return None
    owner = facts.parents.get(id(node))
    while owner is not None and not isinstance(owner, _FUNCS):
        owner = facts.parents.get(id(owner))
    if not isinstance(owner, ast.AsyncFunctionDef) or owner.name.startswith("test") or _is_cleanup_name(owner.name):
        # Test code ignores cancellations on purpose; a close() that carries on is shutting down anyway.
        return None
    while True:
        parent = facts.parents.get(id(node))
        if parent is None:
            return None
        block = _containing_list(parent, node)
        if block is not None:
            idx = next(i for i, s in enumerate(block) if s is node)
            rest = block[idx + 1:]
            if _has_cancellation_point(rest):
                return owner
            if any(isinstance(s, ast.Return | ast.Raise) for s in rest):
                return None
            if isinstance(parent, _LOOPS) and block is parent.body:
                return owner
        if parent is owner:
            return None
        node = parent


# Not failures: what a clause may name next to the cancellation without treating it as one.
_NOT_ERRORS = frozenset({"builtins.KeyboardInterrupt", "builtins.SystemExit", "builtins.GeneratorExit",
                         "builtins.BaseException"})


def _lumped(fn: FunctionContext, type_node: ast.expr | None) -> bool:
    """``except (CancelledError, TimeoutError)``: the cancellation caught with ordinary errors."""
    if not isinstance(type_node, ast.Tuple):
        return False
    for elt in type_node.elts:
        if _caught(fn, elt) != _Caught.NONE:
            continue
        if fn.ref(elt) in _NOT_ERRORS:
            continue
        return True
    return False


def _after_success(fn: FunctionContext, try_stmt: ast.Try | ast.TryStar, exit_node: ast.stmt) -> bool:
    """Whether the exit sits under a progress flag only success sets (see `_progress`)."""
    facts = _module_facts(fn)
    func = fn.node
    if facts is None or not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    owner = facts.parents.get(id(func))
    cls = owner if isinstance(owner, ast.ClassDef) else None
    return exit_after_success(func, facts.tree, cls, facts.parents, try_stmt, exit_node)


def _enclosing_loop(fn: FunctionContext, stmt: ast.AST) -> ast.AST | None:
    node = stmt
    while True:
        parent = fn.parent(node)
        if parent is None or parent is fn.node:
            return None
        if isinstance(parent, _LOOPS) and any(s is node for s in parent.body):
            return parent
        node = parent


def _describe(fn: FunctionContext, type_node: ast.expr | None) -> str:
    if type_node is None:
        return "except:"
    text = _unparse(type_node, "asyncio.CancelledError")
    if len(text) > 60:
        text = "asyncio.CancelledError"
    return f"except {text}"


def _unparse(node: ast.AST, fallback: str) -> str:
    try:
        return ast.unparse(node)
    except RecursionError:  # absurdly deep expressions
        return fallback


#: Comments that say a cancellation is swallowed on purpose.
_DELIBERATE = re.compile(
    r"(?i)(?:don'?t|do not|never|not|no need to) (?:re-?)?raise|on purpose|intentional|deliberate"
    r"|swallow(?:ed|ing|s)? (?:the )?cancel|ignor(?:e|ed|ing) (?:the )?cancel|overrid(?:e|ing) (?:the )?cancel"
    r"|cancell?ed,? but (?:we )?(?:continue|keep|carry on|still)"
)


@register
class SwallowedCancel(Rule):
    """## What it does
    Finds `except` clauses in `async def` functions that catch the
    cancellation of the task, `asyncio.CancelledError` (also trio's
    `Cancelled` and anyio's `get_cancelled_exc_class()`), around an `await`,
    `async with` or `async for` and do not re-raise it, and
    `contextlib.suppress(asyncio.CancelledError)` around an `await`. A bare
    `except:` or `except BaseException:` catches the cancellation too, and is
    reported the same way. So is a `return`, `break` or `continue` in the
    `finally:` block of a `try` that awaits: it silently discards the
    exception in flight, the cancellation included.

    Reported: a handler after which a loop goes round again (the task keeps
    running), or the function carries on with more awaits; a catch-all, or
    a clause that takes the cancellation for one more error (`except
    (CancelledError, TimeoutError)`), that returns a fallback value; a
    helper whose caller (in the same module) carries on after awaiting it.

    Reported only with `--preview` (weaker evidence): an explicit
    `except CancelledError` that ends the function (`break` out of a task's
    loop, `return`, a last log line: usually a task's own shutdown path, or
    a deliberate conversion of the cancellation into a result) or after
    which a procedure only finishes up (a last flush, no loop; also from
    inside a handler of the function's top-level `try`, as when a failure
    report whose own cancellation is answered with an acknowledgement is
    sent last), and a
    catch-all at the end of a function that returns nothing (the body of a
    task, which stops anyway); best-effort cleanup (`try: await
    conn.aclose() except BaseException: pass`); a handler that records the
    cancellation in a flag the function acts on (`aborted = True`); and a
    `CancelledError` imported from another module of the project, which may
    not be asyncio's.

    Not reported: waiting for a task or future that may have been cancelled
    (`task.cancel()` then `try: await task except CancelledError: pass`, the
    same with `suppress`, under `asyncio.timeout()`, or through
    `asyncio.wait_for`/`gather`/`shield`), handlers that re-raise anywhere (a
    `raise` under an `if` counts), hand the exception on
    (`fut.set_exception(e)`, `errors.append(e)`, `sys.exc_info()`), record
    it to raise it later (`cancelled = True` then `if cancelled: raise`),
    forward it (`other.cancel()`), use Python 3.11's `uncancel()`; cleanup
    inside a `finally:` block, inside an `except` handler that re-raises or
    inside a shielded cancel scope, where the first cancellation goes on
    anyway; a "sleep until cancelled, then clean up" coroutine;
    `concurrent.futures.CancelledError`, which is not the task's
    cancellation; the module's `main()` coroutine, which only `asyncio.run()`
    cancels; and test code, which ignores cancellations on purpose. A
    handler with a comment saying the cancellation is not re-raised on
    purpose ("don't raise here", "intentionally", "swallow the
    cancellation", "cancelled but continue") is shown with `--preview` only.
    A `return` in a `finally:` under a progress flag that only success can
    set is not reported either: `if not started: return` after `started =
    True` just before the `try`, or `if step == Step.FINISHED: return` where
    the `try`'s last statement sets `step` (also from a helper whose every
    `return` gives a literal or an enum member), or where the flag is set
    after the `try`'s last await (no cancellation can be delivered after it),
    also a flag of the object (`if self._queue is None: return` after
    `self._queue = None`) that the class's other methods never set so.

    ## Why is this bad?
    Cancellation is a request to stop that the task must honour. A task that
    swallows its `CancelledError` keeps running, so whoever cancelled it and
    waits for it (`await task`, a `TaskGroup`, server shutdown) waits
    forever. Even when it stops soon after, it ends as if it had succeeded:
    `asyncio.timeout()` then cannot turn the cancellation into a
    `TimeoutError`, so the caller carries on with a half-done result, and
    a `TaskGroup` cannot tell its child was cancelled.

    ## Example
    ```python
    import asyncio


    async def worker(queue: asyncio.Queue[str]) -> None:
        while True:
            try:
                item = await queue.get()
                print(item)
            except asyncio.CancelledError:
                print("cancelled")
    ```

    ## Use instead
    ```python
    import asyncio


    async def worker(queue: asyncio.Queue[str]) -> None:
        while True:
            try:
                item = await queue.get()
                print(item)
            except asyncio.CancelledError:
                print("cancelled")
                raise
    ```

    ## Fix safety
    Adding `raise` at the end of the handler changes what the function
    returns when it is cancelled (it raises instead), which is the point;
    code that awaited the task expecting a normal return must then catch the
    `CancelledError` itself. Moving a `return`, `break` or `continue` out of
    a `finally:` block lets the exceptions of the `try` propagate again. No
    automatic fix is offered.
    """

    code = "ADC601"
    name = "swallowed-cancel"
    category = "cancellation"
    summary = "Cancellation caught and not re-raised"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        candidates: list[ast.AST] = []
        finals: list[ast.Try | ast.TryStar] = []
        for node in fn.walk():
            if isinstance(node, ast.Try | ast.TryStar):
                if node.handlers:
                    candidates.append(node)
                if node.finalbody:
                    finals.append(node)
            elif isinstance(node, ast.With | ast.AsyncWith):
                candidates.append(node)
        if not (candidates or finals) or in_test_code(fn):
            # Tests provoke cancellations and ignore them on purpose (to test the code that cancels).
            return
        yield from self._exits_in_finally(fn, finals)
        node = fn.node
        in_loops: set[int] | None = None
        if (isinstance(node, ast.AsyncFunctionDef) and node.name in _MAIN_NAMES
                and fn.info.qualname == f"{fn.module}.{node.name}"):
            # The program's main() may end quietly when cancelled (Ctrl-C), but
            # not keep looping: only handlers inside a loop are judged there.
            in_loops = {
                id(inner)
                for loop in _frame(node.body)
                if isinstance(loop, _LOOPS)
                for inner in _frame(loop.body)
                if isinstance(inner, ast.Try | ast.TryStar)
            }
        facts: _FunctionFacts | None = None
        for stmt in candidates:
            if in_loops is not None and id(stmt) not in in_loops:
                continue
            if isinstance(stmt, ast.Try | ast.TryStar):
                for handler, caught in self._swallowing_handlers(fn, stmt):
                    if facts is None:
                        facts = _FunctionFacts(fn)
                    report = self._judge(fn, facts, stmt, stmt.body, handler.body, caught,
                                         _describe(fn, handler.type), handler)
                    if report is not None:
                        yield report
            else:
                assert isinstance(stmt, ast.With | ast.AsyncWith)
                if any(_is_shield(fn, item.context_expr) for item in stmt.items):
                    continue  # with CancelScope(shield=True), suppress(BaseException): nothing to swallow
                for item in stmt.items:
                    caught = self._suppressed(fn, item.context_expr)
                    if caught == _Caught.NONE or not _has_cancellation_point(stmt.body):
                        continue
                    if facts is None:
                        facts = _FunctionFacts(fn)
                    report = self._judge(fn, facts, stmt, stmt.body, [], caught,
                                         _unparse(item.context_expr, "suppress(...)"), item.context_expr)
                    if report is not None:
                        yield report
                    break

    def _exits_in_finally(self, fn: FunctionContext, finals: list[ast.Try | ast.TryStar]) -> Iterator[Report]:
        """``return``/``break``/``continue`` in the ``finally:`` of a ``try`` that awaits."""
        seen: set[int] = set()
        for stmt in finals:
            if not (_has_cancellation_point(stmt.body) or _has_cancellation_point(
                    [s for h in stmt.handlers for s in h.body])
                    or _has_cancellation_point(stmt.orelse)):
                continue
            stack: list[tuple[ast.AST, bool]] = [(s, False) for s in stmt.finalbody]
            while stack:
                node, in_loop = stack.pop()
                if isinstance(node, _FUNCS):
                    continue
                if isinstance(node, ast.Return) or (isinstance(node, ast.Break | ast.Continue) and not in_loop):
                    if id(node) not in seen:
                        seen.add(id(node))
                        if not _after_success(fn, stmt, node):
                            yield self._finally_exit(fn, node)
                    continue
                inner = in_loop or isinstance(node, _LOOPS)
                if isinstance(node, _LOOPS):
                    # The loop's own else: block is not inside it.
                    stack.extend((c, in_loop) for c in node.orelse)
                    children = [c for c in ast.iter_child_nodes(node) if not any(c is e for e in node.orelse)]
                    stack.extend((c, inner) for c in children)
                else:
                    stack.extend((c, in_loop) for c in ast.iter_child_nodes(node))

    def _finally_exit(self, fn: FunctionContext, node: ast.stmt) -> Report:
        word = "return" if isinstance(node, ast.Return) else "break" if isinstance(node, ast.Break) else "continue"
        if word == "return":
            outcome = "the function returns as if it had succeeded"
        elif word == "break":
            outcome = "the loop ends and the function carries on as if nothing had happened"
        else:
            outcome = "the loop goes round again as if nothing had happened"
        message = (f"`{word}` in `finally` discards the exception in flight, `asyncio.CancelledError` "
                   f"included: when the task is cancelled during the awaits of the `try`, {outcome}; "
                   f"move the `{word}` after the `try` statement")
        return fn.report(self.code, node, message, end=_span(node, len(word)))

    def _swallowing_handlers(self, fn: FunctionContext,
                             stmt: ast.Try | ast.TryStar) -> Iterator[tuple[ast.ExceptHandler, int]]:
        body_checked = False
        for handler in stmt.handlers:
            caught = _caught(fn, handler.type)
            if caught == _Caught.NONE:
                continue
            if not body_checked:
                if not _has_cancellation_point(stmt.body):
                    return
                body_checked = True
            broad = caught == _Caught.BROAD
            if not _handles(fn, handler.body, broad=broad, bound=handler.name) and not _passes_on(
                fn, handler
            ):
                yield handler, caught
            # Later clauses never see the cancellation: this one took it.
            return

    def _suppressed(self, fn: FunctionContext, expr: ast.expr) -> int:
        if not isinstance(expr, ast.Call) or not expr.args:
            return _Caught.NONE
        if fn.callee(expr) != "contextlib.suppress":
            return _Caught.NONE
        caught = _Caught.NONE
        for arg in expr.args:
            c = _caught(fn, arg)
            if c == _Caught.EXPLICIT:
                return c
            if c == _Caught.BROAD or (c == _Caught.MAYBE and caught == _Caught.NONE):
                caught = c
        return caught

    def _judge(self, fn: FunctionContext, facts: _FunctionFacts, stmt: ast.stmt, body: list[ast.stmt],
               handler_body: list[ast.stmt], caught: int, what: str, at: ast.AST) -> Report | None:
        if facts.self_cancel or _protected(fn, stmt):
            return None
        points = _cancellation_points(body)
        if _waits_for_tasks(fn, points):
            return None
        after = _after(fn, stmt, handler_body)
        if after != _After.LOOP and _sleeps_forever(fn, points):
            # "Wait until cancelled, then clean up": the cancellation is the signal to finish.
            return None
        caller = _caller_carries_on(fn) if after != _After.LOOP else None
        type_node: ast.expr | None = None
        if isinstance(at, ast.ExceptHandler):
            type_node = at.type
        elif isinstance(at, ast.Call):
            type_node = ast.Tuple(elts=list(at.args), ctx=ast.Load())  # suppress(A, B)
        weak = self._weak(fn, stmt, points, handler_body, caught, after, caller is not None,
                          _lumped(fn, type_node))
        is_with = isinstance(stmt, ast.With | ast.AsyncWith)
        if after == _After.LOOP and isinstance(_enclosing_loop(fn, stmt), ast.For | ast.AsyncFor):
            outcome = ("the loop goes on with its next item as if the task had not been cancelled, "
                       "and whoever cancelled it waits")
        elif after == _After.LOOP:
            outcome = "the task keeps running and whoever cancelled it waits forever"
        elif after == _After.CONTINUES:
            outcome = "the function carries on with more awaits as if it had not been cancelled"
        elif caught == _Caught.BROAD and _returns_value(fn) and not weak:
            outcome = ("the function hands back its fallback as if it had not been cancelled, and its "
                       "caller carries on")
        elif caller is not None:
            outcome = (f"the function returns as if it had succeeded, and `{caller[0]}()` (line {caller[1]}) "
                       "carries on with more awaits as if it had not been cancelled")
        else:
            outcome = ("the task ends as if it had succeeded, so `asyncio.timeout()`, task groups "
                       "and whoever awaits it cannot tell it was cancelled")
        if is_with:
            message = (f"`{what}` around an await swallows the cancellation: {outcome}; "
                       "let `CancelledError` propagate (suppress it only when awaiting a task you cancelled)")
        elif caught == _Caught.BROAD:
            message = (f"`{what}` around an await also catches `asyncio.CancelledError` and does not "
                       f"re-raise it: {outcome}; catch `Exception` instead, or re-raise")
        else:
            message = f"`{what}` swallows the cancellation: {outcome}; clean up, then `raise`"
        if isinstance(at, ast.ExceptHandler):
            end: ast.AST = at.type if at.type is not None else _span(at, 6)
            report = fn.report(self.code, at, message, end=end)
        else:
            report = fn.report(self.code, at, message)
        # A comment in the handler (or on the line above it) saying the cancellation is not
        # re-raised on purpose: the author chose it (shown with --preview).
        first = getattr(at, "lineno", 0)
        last = max(getattr(n, "end_lineno", first) or first for n in (at, *handler_body))
        report.preview = weak or comment_says(fn, first - 1, last, _DELIBERATE)
        return report

    def _weak(self, fn: FunctionContext, stmt: ast.stmt, points: list[ast.AST], handler_body: list[ast.stmt],
              caught: int, after: str, caller_carries_on: bool, lumped: bool) -> bool:
        """Whether the evidence is weak: the finding is then shown only with ``--preview``."""
        if caught == _Caught.MAYBE:
            return True  # maybe not asyncio's CancelledError at all
        if _cleanup_only(fn, points):
            return True  # best-effort cleanup: ``try: await conn.aclose() except BaseException: pass``
        if caught != _Caught.BROAD and _records(fn, handler_body):
            return True  # ``aborted = True``: the cancellation is noticed and acted on
        if after == _After.LOOP:
            return False
        if after == _After.ENDS:
            # The handler ends the function. A task's body that ends quietly when
            # cancelled is the usual way to shut it down; a helper whose caller carries
            # on is not. A catch-all that returns a fallback value is a mistake.
            if (caught == _Caught.BROAD or lumped) and _returns_value(fn):
                # ``except (CancelledError, TimeoutError): return fallback``: the
                # cancellation is handled like one more failure.
                return False
            return not caller_carries_on
        # More awaits follow. An explicit handler at the top of a procedure, followed
        # only by a final flush (no loop), is its deliberate last step.
        return (caught != _Caught.BROAD and _top_level_tail(fn, stmt) and not _returns_value(fn)
                and not caller_carries_on)

def _span(node: ast.AST, width: int) -> ast.AST:
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    return ast.Pass(lineno=line, col_offset=col, end_lineno=line, end_col_offset=col + width)
