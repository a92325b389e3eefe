"""Progress flags: a ``finally:`` exit guarded by a flag that only success can set.

A ``return`` in ``finally:`` discards the exception in flight, but only if it
runs while one is in flight. Careful code guards it with a progress flag::

    started = True
    try:
        async for chunk in stream:
            yield chunk
    finally:
        if not started:        # never true here: the flag was set before the try
            return

    try:
        ...
        step = await finish()  # the try's last statement: returns FINISHED
    finally:
        if step == Step.FINISHED:   # only true once the try completed
            return

`exit_after_success` proves such guards from the flag's assignments in the
function: each one either gives a value the guard rejects, or is the last
statement the ``try`` runs, after which nothing can raise, or comes after the
``try``'s last await, after which no cancellation can be delivered.  A flag of
the object (``self._queue``) counts too when the class's other methods (and
its body) only give it values the guard rejects: another task may run them
while this one waits. A value comes from
a literal, an enum-like dotted name, or a call to a function of the same module
(or a method of the same class) whose every ``return`` gives a literal in that
position. Anything else is unknown and the exit stays reported.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

# A value the walk can name: ("const", repr) for literals, ("name", "Step.DONE") for dotted names.
_Value = tuple[str, str]

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _value_of(node: ast.expr) -> _Value | None:
    if isinstance(node, ast.Constant):
        return ("const", repr(node.value))
    if isinstance(node, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return ("display", "")  # a new container: not None, not any dotted name
    if isinstance(node, ast.Attribute):
        parts: list[str] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Attribute):
            parts.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name) and cur.id not in ("self", "cls"):
            parts.append(cur.id)
            return ("name", ".".join(reversed(parts)))
    return None


def _truthy(value: _Value) -> bool | None:
    kind, text = value
    if kind != "const":
        return None
    try:
        return bool(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return None


def _flag_name(node: ast.expr) -> str | None:
    """``started`` or ``self._queue``: a local flag or one of the object's own."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    return None


def _guard(test: ast.expr) -> tuple[str, Callable[[_Value], bool | None]] | None:
    """The flag a condition tests and how a value of it decides the condition."""
    flag = _flag_name(test)
    if flag is not None:
        return flag, _truthy
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _guard(test.operand)
        if inner is None:
            return None
        name, decide = inner

        def negated(value: _Value) -> bool | None:
            result = decide(value)
            return None if result is None else not result
        return name, negated
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and _flag_name(test.left) is not None
            and isinstance(test.ops[0], ast.Eq | ast.NotEq | ast.Is | ast.IsNot)):
        other = _value_of(test.comparators[0])
        if other is None:
            return None
        positive = isinstance(test.ops[0], ast.Eq | ast.Is)

        def compare(value: _Value) -> bool | None:
            if value[0] != other[0] and "name" in (value[0], other[0]):
                return None  # a literal against a dotted name: unknown
            if "display" in (value[0], other[0]) and value != other:
                same = False
            elif value[0] == "display":
                return None  # two containers: unknown
            else:
                same = value == other
            return same if positive else not same
        flag = _flag_name(test.left)
        assert flag is not None
        return flag, compare
    return None


class _Flags:
    """The assignments of the names in one function, and the values each can give."""

    def __init__(self, func: ast.AsyncFunctionDef | ast.FunctionDef, module: ast.Module,
                 cls: ast.ClassDef | None) -> None:
        self.func = func
        self.module = module
        self.cls = cls

    def assignments(self, name: str, func: ast.FunctionDef | ast.AsyncFunctionDef | None = None
                    ) -> Iterator[tuple[ast.stmt, list[_Value] | None]]:
        """Each statement assigning ``name`` with its possible values (None: unknown)."""
        stack: list[ast.AST] = list((func or self.func).body)
        while stack:
            node = stack.pop()
            if isinstance(node, _FUNCS):
                continue
            stack.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    assigned, values = self._assigned(target, node.value, name)
                    if assigned:
                        yield node, values
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and _names(node.target, name):
                value = node.value if isinstance(node, ast.AnnAssign) else None
                known = _value_of(value) if value is not None and isinstance(node, ast.AnnAssign) else None
                yield node, [known] if known is not None else None
            elif isinstance(node, ast.For | ast.AsyncFor | ast.With | ast.AsyncWith | ast.Delete):
                targets = ([node.target] if isinstance(node, ast.For | ast.AsyncFor)
                           else node.targets if isinstance(node, ast.Delete)
                           else [i.optional_vars for i in node.items if i.optional_vars is not None])
                if any(_names(t, name) for t in targets):
                    yield node, None
            elif isinstance(node, ast.NamedExpr) and node.target.id == name and func is None:
                statement = next((s for s in _statements(self.func) if _contains(s, node)), None)
                if statement is not None:
                    yield statement, None

    def _assigned(self, target: ast.expr, value: ast.expr, name: str) -> tuple[bool, list[_Value] | None]:
        """Whether ``target = value`` assigns ``name``, and the values it may give it."""
        if isinstance(target, ast.Name | ast.Attribute) and _flag_name(target) is not None:
            if _flag_name(target) != name:
                return False, None
            known = _value_of(value)
            return True, [known] if known is not None else self._returned(value, None)
        if isinstance(target, ast.Tuple | ast.List):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    if _names(element.value, name):
                        return True, None
                    continue
                if isinstance(element, ast.Name) and element.id == name:
                    if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                        known = _value_of(value.elts[index])
                        return True, [known] if known is not None else None
                    return True, self._returned(value, (index, len(target.elts)))
                if _names(element, name):
                    return True, None
        return False, None

    def _returned(self, value: ast.expr, position: tuple[int, int] | None) -> list[_Value] | None:
        """What a call to a function of this module can return (at ``position`` of a tuple)."""
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return None
        callee = self._callee(value.func)
        if callee is None:
            return None
        values: list[_Value] = []
        for node in _own_nodes(callee):
            if not isinstance(node, ast.Return) or node.value is None:
                if isinstance(node, ast.Yield | ast.YieldFrom):
                    return None
                continue
            result: ast.expr = node.value
            if position is not None:
                if not (isinstance(result, ast.Tuple) and len(result.elts) == position[1]):
                    return None
                result = result.elts[position[0]]
            known = _value_of(result)
            if known is None:
                return None
            values.append(known)
        return values or None

    def _callee(self, func: ast.expr) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if isinstance(func, ast.Name):
            scope: list[ast.stmt] = self.module.body
            wanted = func.id
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
              and func.value.id in ("self", "cls") and self.cls is not None):
            scope = self.cls.body
            wanted = func.attr
        else:
            return None
        found = [s for s in scope if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == wanted]
        return found[0] if len(found) == 1 else None


def _names(target: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name | ast.Attribute) and _flag_name(n) == name for n in ast.walk(target))


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _FUNCS):
            stack.extend(ast.iter_child_nodes(node))


def _statements(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.stmt]:
    for node in _own_nodes(func):
        if isinstance(node, ast.stmt):
            yield node


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    return any(n is inner for n in ast.walk(outer))


def _last_run(try_stmt: ast.Try | ast.TryStar) -> ast.stmt:
    """The statement the ``try`` runs last when nothing raises."""
    return (try_stmt.orelse or try_stmt.body)[-1]


def exit_after_success(func: ast.AsyncFunctionDef | ast.FunctionDef, module: ast.Module,
                       cls: ast.ClassDef | None, parents: dict[int, ast.AST],
                       try_stmt: ast.Try | ast.TryStar, exit_node: ast.stmt) -> bool:
    """Whether a guard on the way to ``exit_node`` holds only when no exception is in flight."""
    flags = _Flags(func, module, cls)
    node: ast.AST = exit_node
    while True:
        parent = parents.get(id(node))
        if parent is None or parent is try_stmt:
            return False
        if isinstance(parent, ast.If):
            branch = True if any(s is node for s in parent.body) else False if any(
                s is node for s in parent.orelse) else None
            if branch is not None and _guard_needs_success(flags, parent.test, branch, try_stmt):
                return True
        node = parent


def _guard_needs_success(flags: _Flags, test: ast.expr, branch: bool, try_stmt: ast.Try | ast.TryStar) -> bool:
    guard = _guard(test)
    if guard is None:
        return False
    name, decide = guard
    if any(isinstance(a, ast.arg) and a.arg == name for a in ast.walk(flags.func.args)):
        parameter = True
    else:
        parameter = False
    last = _last_run(try_stmt)
    before = _dominating(flags, name, try_stmt)
    seen = False
    for statement, values in flags.assignments(name):
        seen = True
        inside = _contains(try_stmt, statement)
        if not inside and before is not None and statement is not before and not _between(
                flags, before, try_stmt, statement):
            continue  # killed by the assignment just before the try
        if values is not None and all(decide(v) is (not branch) for v in values):
            continue  # never selects the exit
        if inside and (statement is last or _no_await_after(try_stmt, statement)):
            # set by the try's last statement (nothing raises after it), or after its last
            # await (no cancellation can be delivered after it)
            continue
        return False
    if seen and name.startswith("self.") and not _elsewhere_rejected(flags, name, decide, branch):
        return False  # another method may set it while this one waits
    return seen and (before is not None or not parameter)


def _elsewhere_rejected(flags: _Flags, name: str, decide: Callable[[_Value], bool | None], branch: bool) -> bool:
    """Whether every assignment of ``self.<attr>`` in the class's other methods gives a value
    the guard rejects (``self._queue = []`` in ``__init__`` for ``if self._queue is None``)."""
    if flags.cls is None:
        return False
    attr = name.partition(".")[2]
    for stmt in flags.cls.body:  # ``_queue = None`` in the class body: a default
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == attr for t in targets):
                known = _value_of(stmt.value) if stmt.value is not None else None
                if known is None or decide(known) is not (not branch):
                    return False
    for method in flags.cls.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) or method is flags.func:
            continue
        for _statement, values in flags.assignments(name, method):
            if values is None or not all(decide(v) is (not branch) for v in values):
                return False
    return True


def _no_await_after(try_stmt: ast.Try | ast.TryStar, statement: ast.stmt) -> bool:
    """Whether the ``try`` awaits nothing once ``statement`` has run (a cancellation is
    delivered only at an ``await``, ``async for`` or ``async with``)."""
    lines = [getattr(n, "lineno", 0) for n in ast.walk(try_stmt)
             if isinstance(n, ast.Await | ast.AsyncFor | ast.AsyncWith)
             and not any(_contains(f, n) for f in try_stmt.finalbody)
             and not any(_contains(h, n) for h in try_stmt.handlers)]
    end = getattr(statement, "end_lineno", None) or statement.lineno
    return not any(line > end for line in lines) and not any(
        isinstance(n, ast.For | ast.While | ast.AsyncFor) and _contains(n, statement) for n in ast.walk(try_stmt))


def _dominating(flags: _Flags, name: str, try_stmt: ast.Try | ast.TryStar) -> ast.stmt | None:
    """The last statement of the try's own block, before it, that assigns ``name`` outright."""
    assigning = {id(a) for a, _ in flags.assignments(name)}
    for block in _blocks(flags.func):
        for index, statement in enumerate(block):
            if statement is try_stmt:
                for earlier in reversed(block[:index]):
                    if (isinstance(earlier, ast.Assign | ast.AnnAssign) and id(earlier) in assigning
                            and not _nested_assign(earlier)):
                        return earlier
                return None
    return None


def _nested_assign(statement: ast.stmt) -> bool:
    value = getattr(statement, "value", None)
    return value is not None and any(isinstance(n, ast.NamedExpr) for n in ast.walk(value))


def _between(flags: _Flags, before: ast.stmt, try_stmt: ast.Try | ast.TryStar, statement: ast.stmt) -> bool:
    """Whether ``statement`` lies in the block between ``before`` and the try."""
    for block in _blocks(flags.func):
        ids = [id(s) for s in block]
        if id(before) in ids and id(try_stmt) in ids:
            start, end = ids.index(id(before)), ids.index(id(try_stmt))
            return any(_contains(s, statement) for s in block[start + 1:end])
    return True


def _blocks(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[list[ast.stmt]]:
    yield func.body
    for node in _own_nodes(func):
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
        if isinstance(node, ast.Match):
            for case in node.cases:
                yield case.body
