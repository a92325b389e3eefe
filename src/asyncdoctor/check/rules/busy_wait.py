"""ADC503 busy-wait."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .. import _knowledge as kb
from .._analysis import FunctionContext, Report
from ._base import Rule, register
from ._util import dotted_name, in_test_code, name_of, short_source

# Sync calls that read the clock: conditions built on them are timeouts, not polled state.
_CLOCKS = frozenset(
    {
        "time.time",
        "time.monotonic",
        "time.perf_counter",
        "time.time_ns",
        "time.monotonic_ns",
        "time.perf_counter_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "anyio.current_time",
        "trio.current_time",
    }
)
_CLOCK_METHODS = frozenset({"time", "monotonic", "now", "utcnow", "current_time"})

# Methods that read in-process state cheaply (tasks, futures, queues, events, locks, dicts).
_STATE_METHODS = frozenset(
    {
        "done", "cancelled", "empty", "full", "qsize", "is_set", "locked", "is_closing",
        "get", "keys", "values", "items", "exception", "result", "count", "index",
        "startswith", "endswith", "lower", "upper", "strip",
    }
)
_PURE_BUILTINS = frozenset(
    {"len", "min", "max", "abs", "bool", "any", "all", "sum", "isinstance", "getattr", "hasattr",
     "int", "float", "str", "round", "sorted", "list", "set", "tuple", "id", "type"}
)
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "trace"}
)



class _Loop:
    """What the body of one ``while`` loop does."""

    def __init__(self, fn: FunctionContext) -> None:
        self.fn = fn
        self.sleeps: list[ast.Call] = []
        self.conditions: list[ast.expr] = []  # tests that end the loop
        self.logs = 0  # logging calls in the body (a report made every tick is work)
        self.counters: set[str] = set()  # names the loop body updates (attempts += 1)
        self.aliases: dict[str, ast.expr] = {}  # name = <expr> inside the loop
        self.clock_cache: dict[int, bool] = {}

    # -- statements ---------------------------------------------------------

    def block(self, body: list[ast.stmt], *, in_if: bool) -> bool | None:
        """Whether a block only waits, checks, counts and logs; ``None`` if it does other work.

        Returns ``True`` when the block may leave the loop (``break``/``return``/``raise``).
        """
        exits = False
        for stmt in body:
            result = self.stmt(stmt, in_if=in_if)
            if result is None:
                return None
            exits = exits or result
        return exits

    def stmt(self, stmt: ast.stmt, *, in_if: bool) -> bool | None:
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Await):
                call = value.value
                if (isinstance(call, ast.Call) and self.fn.callee(call) in kb.SLEEP_FUNCTIONS
                        and all(self.pure(a) for a in call.args)):
                    self.sleeps.append(call)
                    return False
                return None
            if isinstance(value, ast.Call) and _is_log_call(value):
                self.logs += 1
                return False
            if isinstance(value, ast.Constant):
                return False  # a docstring-like comment
            return None
        if isinstance(stmt, ast.Pass | ast.Continue):
            return False
        if isinstance(stmt, ast.Break | ast.Return | ast.Raise):
            if not in_if:
                return None
            exc = stmt.exc if isinstance(stmt, ast.Raise) else getattr(stmt, "value", None)
            if exc is not None and _has_await(exc):
                return None
            return True
        if isinstance(stmt, ast.AugAssign):
            if not isinstance(stmt.target, ast.Name | ast.Attribute) or not self.pure(stmt.value):
                return None
            name = name_of(stmt.target)
            if isinstance(stmt.target, ast.Name) and name:
                self.counters.add(name)
            elif isinstance(stmt.target, ast.Attribute):
                key = dotted_name(stmt.target)
                if key is not None:
                    self.counters.add(key)
            return False
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            assigned = stmt.value
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if assigned is None or not self.pure(assigned):
                return None
            for target in targets:
                if not isinstance(target, ast.Name):
                    return None
                self.aliases[target.id] = assigned
            return False
        if isinstance(stmt, ast.If):
            if not self.pure(stmt.test):
                return None
            body = self.block(stmt.body, in_if=True)
            orelse = self.block(stmt.orelse, in_if=True)
            if body is None or orelse is None:
                return None
            if body or orelse:
                self.conditions.append(stmt.test)
            return body or orelse
        return None

    # -- expressions --------------------------------------------------------

    def pure(self, node: ast.expr) -> bool:
        """Whether evaluating ``node`` only reads in-process state or the clock."""
        stack: list[ast.AST] = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Await | ast.Yield | ast.YieldFrom | ast.NamedExpr | ast.Lambda):
                return False
            if isinstance(n, ast.Call):
                if self.is_clock(n):
                    continue  # asyncio.get_running_loop().time(): a clock read, whatever its receiver
                if not _is_state_call(n):
                    return False
                stack.extend(n.args)
                stack.extend(k.value for k in n.keywords)
                if isinstance(n.func, ast.Attribute):
                    stack.append(n.func.value)
                continue
            stack.extend(ast.iter_child_nodes(n))
        return True

    def is_clock(self, call: ast.Call) -> bool:
        cached = self.clock_cache.get(id(call))
        if cached is not None:
            return cached
        result = False
        callee = self.fn.callee(call)
        if callee in _CLOCKS or (callee is not None and callee.endswith(".time") and "Loop" in callee):
            result = True
        elif callee is None and isinstance(call.func, ast.Attribute) and call.func.attr in _CLOCK_METHODS:
            # loop.time(), self._loop.time(), clock.monotonic()
            result = not call.args
        self.clock_cache[id(call)] = result
        return result

    # -- conditions ---------------------------------------------------------

    def operands(self, test: ast.expr) -> Iterator[ast.expr]:
        """The parts of a condition joined by ``and``/``or`` (``not`` removed)."""
        stack = [test]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.BoolOp):
                stack.extend(reversed(node.values))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                stack.append(node.operand)
            else:
                yield node

    def is_state(self, operand: ast.expr, depth: int = 0) -> bool:
        """Whether a condition reads state some other code changes (not a timeout or a counter)."""
        if isinstance(operand, ast.Constant) or depth > 3:
            return False
        names: list[str] = []
        for node in ast.walk(operand):
            if isinstance(node, ast.Call) and self.is_clock(node):
                return False
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                if node.id in self.counters:
                    return False
                names.append(node.id)
            elif isinstance(node, ast.Attribute) and self.counters and dotted_name(node) in self.counters:
                return False
        state = False
        for name in names:
            alias = self.aliases.get(name)
            if alias is not None:
                # elapsed = loop.time() - start: a timer; done = task.done(): state.
                if not any(self.is_state(o, depth + 1) for o in self.operands(alias)):
                    return False
                state = True
            elif name not in _PURE_BUILTINS and name not in ("True", "False", "None"):
                state = True
        return state


def _is_attempts(loop: ast.For) -> bool:
    """``for _ in range(50):``: a bounded number of polling attempts."""
    it = loop.iter
    return isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"


def _is_state_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in _PURE_BUILTINS
    if isinstance(func, ast.Attribute):
        return func.attr in _STATE_METHODS
    return False


def _long_constant_delay(sleep: ast.Call) -> bool:
    """``asyncio.sleep(60)``: a delay of several seconds, written as a number."""
    if not sleep.args:
        return False
    delay = sleep.args[0]
    return (
        isinstance(delay, ast.Constant)
        and isinstance(delay.value, int | float)
        and not isinstance(delay.value, bool)
        and delay.value >= 5
    )


def _is_log_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    if isinstance(func, ast.Attribute):
        if func.attr in _LOG_METHODS:
            return True
        return func.attr == "warn" and name_of(func.value) == "warnings"
    return False


def _has_await(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Await) for n in ast.walk(node))



def _advice(operand: ast.expr, event: str) -> str:
    for node in ast.walk(operand):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr in ("done", "cancelled", "result", "exception"):
                return "await the task or future directly (with `asyncio.wait_for` for a timeout)"
            if attr in ("empty", "qsize"):
                return "await `queue.get()` (with `asyncio.wait_for` for a timeout)"
            if attr == "full":
                return "await `queue.put()`, which waits for room"
            if attr == "is_set":
                return "await `event.wait()` (with `asyncio.wait_for` for a timeout)"
            if attr == "locked":
                return "wait for the lock with `async with lock:`"
        if isinstance(node, ast.Attribute) and node.attr == "returncode":
            return "await `process.wait()`"
    return f"wait on an `{event}` (or `Condition`) set by whoever changes it"




@register
class BusyWait(Rule):
    """## What it does
    Finds `while` loops in `async def` functions that wait for something to
    change by checking it and sleeping: `while not self.ready: await
    asyncio.sleep(0.1)`, `while not task.done(): ...`, `while
    queue.empty(): ...`, or `while True:` (or `for _ in range(attempts):`)
    with `if <condition>: break` and a sleep. The loop's only awaits are
    sleeps (`asyncio.sleep`, `anyio.sleep`, `trio.sleep`) and it does nothing
    else but check, count, compare with a deadline and log.

    A loop that does work between its sleeps (a periodic job), a sleep loop
    with no condition (keeping a process alive), a wait for a deadline, and
    a loop that checks something outside the process (a file, a
    subprocess's `poll()`, a method call) are not reported; neither is test
    code, which often polls the code under test on purpose.

    ## Why is this bad?
    Polling wakes the task up over and over for nothing and still reacts
    late: up to one sleep interval after the change. With a short interval
    it burns CPU (`asyncio.sleep(0)` spins the event loop), with a long one
    it adds latency. asyncio has primitives that wake the waiter exactly
    when the change happens: an `asyncio.Event` or `Condition` set by the
    code that makes the change, awaiting a task or future directly, or
    `queue.get()`.

    ## Example
    ```python
    import asyncio


    class Connection:
        def __init__(self) -> None:
            self.ready = False

        async def wait_ready(self) -> None:
            while not self.ready:
                await asyncio.sleep(0.1)
    ```

    ## Use instead
    ```python
    import asyncio


    class Connection:
        def __init__(self) -> None:
            self.ready = asyncio.Event()

        async def wait_ready(self) -> None:
            await self.ready.wait()
    ```

    ## Fix safety
    Replacing the flag with an event changes the code that sets it too, so
    no automatic fix is offered.
    """

    code = "ADC503"
    name = "busy-wait"
    category = "concurrency"
    summary = "Waiting for a change by polling with sleep"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        loops = [n for n in fn.walk() if isinstance(n, ast.While) or (isinstance(n, ast.For) and _is_attempts(n))]
        if not loops or in_test_code(fn):
            return
        for loop in loops:
            report = self._check_loop(fn, loop)
            if report is not None:
                yield report

    def _check_loop(self, fn: FunctionContext, loop: ast.While | ast.For) -> Report | None:
        scan = _Loop(fn)
        conditions: list[ast.expr] = []
        if isinstance(loop, ast.While):
            test = loop.test
            if isinstance(test, ast.Constant) and not test.value:
                return None
            if not scan.pure(test):
                return None
            if not (isinstance(test, ast.Constant) and test.value):
                conditions.append(test)
            end: ast.AST = test
        else:
            # for attempt in range(50): the loop variable counts attempts
            scan.counters.update(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name))
            end = loop.iter
        result = scan.block(loop.body, in_if=False)
        if result is None or not scan.sleeps:
            return None
        if scan.logs and all(_long_constant_delay(s) for s in scan.sleeps):
            # A loop that reports every minute until told to stop is a periodic job.
            return None
        conditions.extend(scan.conditions)
        polled: ast.expr | None = None
        for condition in conditions:
            for operand in scan.operands(condition):
                if scan.is_state(operand):
                    polled = operand
                    break
            if polled is not None:
                break
        if polled is None:
            return None
        sleep = scan.sleeps[0]
        sleep_name = f"{_short(sleep.func, 'sleep')}()"
        callee = fn.callee(sleep) or "asyncio.sleep"
        event = {"anyio.sleep": "anyio.Event", "trio.sleep": "trio.Event"}.get(callee, "asyncio.Event")
        delay = sleep.args[0] if sleep.args else None
        if isinstance(delay, ast.Constant) and isinstance(delay.value, int | float) and not isinstance(
            delay.value, bool
        ):
            if delay.value == 0:
                cost = "spins the event loop, burning CPU until it changes"
            else:
                cost = f"wastes wake-ups and adds up to {delay.value:g} s of latency"
        else:
            cost = "wastes wake-ups and adds up to one sleep interval of latency"
        message = f"polling `{_short(polled)}` with `{sleep_name}` {cost}; {_advice(polled, event)}"
        return fn.report(self.code, loop, message, end=end)


def _short(node: ast.AST, fallback: str = "the condition") -> str:
    return short_source(node, fallback, 50)
