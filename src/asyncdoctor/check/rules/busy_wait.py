"""ADC503 busy-wait.

A ``while`` loop (or a ``for`` loop over attempts) in an ``async def`` whose
only awaits are sleeps and which waits for something to change.  Reported
by default when what it polls is one asyncio primitive or one flag that only
the event loop's own code sets; other polled state is weaker evidence
(``--preview``).
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator

from .. import _knowledge as kb
from .._analysis import SET_ASYNC, SET_SYNC, SETS_FLAG, FunctionContext, Report
from .._index import PInst, ProjectIndex, ProjectReport
from .._refs import LibObject, lib_mro
from ._base import Rule, register
from ._util import dotted_name, in_test_code, name_of, short_source, source_lines

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
        if any(
            isinstance(n, ast.Name | ast.Attribute) and _DEADLINE.search(n.id if isinstance(n, ast.Name) else n.attr)
            for n in ast.walk(operand)
        ):
            return False  # ``deadline.expired``, ``timeout_reached``: a timer
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



#: What a receiver must be called, when its type is unknown, for the specific advice.
_RECEIVER_HINT = {
    "done": "task|fut", "cancelled": "task|fut", "result": "task|fut", "exception": "task|fut",
    "empty": "queue|(?:^|_)q$", "qsize": "queue|(?:^|_)q$", "full": "queue|(?:^|_)q$",
    "is_set": "event|evt", "locked": "lock|mutex", "returncode": "proc|process|child",
}


def _advice(fn: FunctionContext, operand: ast.expr, event: str) -> str:
    """How to wait instead; specific only for an asyncio primitive (by type, or by name)."""
    for node in ast.walk(operand):
        target: ast.Attribute | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
        elif isinstance(node, ast.Attribute) and node.attr == "returncode":
            target = node
        if target is None or target.attr not in _RECEIVER_HINT:
            continue
        receiver = (name_of(target.value) or "").lower()
        if not (_primitive(fn, target) or re.search(_RECEIVER_HINT[target.attr], receiver)):
            continue
        attr = target.attr
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

    By default it reports only a loop that polls one thing asyncio can wait
    on directly: an asyncio primitive (`event.is_set()`, `task.done()`,
    `queue.empty()`, `lock.locked()`, `proc.returncode`) or a flag (or a
    counter compared with a number, `while self.pending > 0:`, a state
    compared with one of its values, `while self.phase != "ready":`,
    `while self.doors.get(slot) == "open":`, an entry of the object's dict
    of flags, `while not self.room_ready[room]:`, a key of a
    module's dict, `state["ready"]`, an attribute of a module's object,
    `state.ready`, or the size of the object's own collection,
    `len(self.players) < 2`, `while self._inflight:`) that
    only code running on the event loop sets (an `async def` of the same
    class or module, a callback the loop runs, like one given to
    `call_later`, or a plain function that starts tasks, which only runs on
    the loop; the items of a collection the class makes empty in
    `__init__` may be changed anywhere in the module, `room.players[name] =
    ws` in a connection handler), or a flag of another object of a project class that only
    the class's `async def` methods set (`while not self.sink.ready:`, with
    `ready` set in `Sink.connect()`, in any module), or a flag of another
    object that is set to a constant only in `async def` functions anywhere
    in the project and never in a plain one (`while not silo.cables_ready:`,
    with `silo.cables_ready = True` in a feed's `async def run()`; also the
    object's own flag, `while not self.flight_open:`, when the class sets it
    only in `__init__` and route handlers set `day.flight_open = True`). A
    flag that a plain function sets (it may run in a
    thread or a signal handler), state set by code the checker cannot see,
    a comparison, a membership or a length test, several conditions at
    once, and a few zero-time cycles in a `for` loop are weaker evidence,
    reported with `--preview`.

    A loop that does work between its sleeps (a periodic job), a sleep loop
    with no condition (keeping a process alive), a wait for a deadline
    (also a sleep computed from it, `asyncio.sleep(deadline -
    loop.time())`), a `threading.Event` polled from async code (the usual
    bridge from a thread), a loop silenced for flake8-async's busy-wait
    rule (`# noqa: ASYNC110`), and a loop that checks something outside the
    process (a file, a subprocess's `poll()`, a method call) are not
    reported; neither is test code, which often polls the code under test
    on purpose.

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

        async def handshake(self) -> None:
            await asyncio.sleep(0.1)  # stands in for the real handshake
            self.ready = True

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

        async def handshake(self) -> None:
            await asyncio.sleep(0.1)  # stands in for the real handshake
            self.ready.set()

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
        states: list[ast.expr] = []
        for condition in conditions:
            for operand in scan.operands(condition):
                if scan.is_state(operand) and not any(_same(operand, o) for o in states):
                    states.append(operand)
        if not states:
            return None
        polled = states[0]
        if any(_timer_sleep(scan, s) for s in scan.sleeps):
            return None  # ``await asyncio.sleep(deadline - loop.time())``: a wait for a time
        if any(_thread_event(fn, o) for o in states):
            return None  # a threading.Event: polling it is how async code waits for a thread
        if _acknowledged(fn, loop):
            return None  # silenced for flake8-async's busy-wait rule (ASYNC110): on purpose
        # Default only for one polled state that asyncio can wait on directly: an asyncio
        # primitive, or a flag that only the event loop's own code sets.
        strong = len(states) == 1 and (_primitive(fn, polled) or _loop_flag(fn, polled))
        if strong and isinstance(loop, ast.For) and any(_zero(s) for s in scan.sleeps):
            strong = False  # ``for _ in range(n): await asyncio.sleep(0)``: a few loop cycles
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
        message = f"polling `{_short(polled)}` with `{sleep_name}` {cost}; {_advice(fn, polled, event)}"
        report = fn.report(self.code, loop, message, end=end)
        if not strong and len(states) == 1 and not isinstance(loop, ast.For):
            held = _other_flag(polled)
            own = _own_flag(polled)
            if held is None and own is not None and fn.info.cls is not None:
                # ``while not self.flight_open``, set only in ``__init__`` by the class itself:
                # decided in the project stage by who else sets it (``day.flight_open = True``
                # in a route handler is on the loop).
                fn.info.fanouts.append([self.code, report.line, report.col, report.end_line,
                                        report.end_col, report.message, fn.info.cls + "()", own])
                return None
            if held is not None:
                # ``while not self.sink.ready``: decided in the project stage, where the
                # class of ``self.sink`` and who sets its ``ready`` are known.
                # (an object of unknown type, ``silo`` from ``SILOS.values()``: "", judged by
                # who sets the attribute)
                ref = fn.ref(held.value) or ""
                fn.info.fanouts.append([self.code, report.line, report.col, report.end_line,
                                        report.end_col, report.message, ref, held.attr])
                return None
        return report if strong else dataclasses.replace(report, preview=True)

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        setters: dict[str, set[str]] | None = None
        for info, summary in index.iter_functions():
            for entry in info.fanouts:
                if not entry or entry[0] != self.code or len(entry) != 8:
                    continue
                _code, line, col, end_line, end_col, message, ref, attr = entry
                if not (isinstance(ref, str) and isinstance(attr, str)):
                    continue
                strong = bool(ref) and _set_on_loop(index, ref, attr)
                if not strong:
                    if setters is None:
                        setters = _flag_setters(index)
                    # ``silo.ready = True`` in another class's ``async def`` only, never in a
                    # plain function: a flag of a project object set on the loop.
                    strong = setters.get(attr) == {"async"} and _project_instance(index, ref, attr)
                yield ProjectReport(summary.path, self.code, line, col, end_line, end_col, message,
                                    preview=not strong)


def _same(a: ast.expr, b: ast.expr) -> bool:
    return ast.dump(a) == ast.dump(b)


def _zero(sleep: ast.Call) -> bool:
    return bool(sleep.args) and isinstance(sleep.args[0], ast.Constant) and sleep.args[0].value == 0


_DEADLINE = re.compile(r"(?i)deadline|timeout|timed_out|expired")
_TIMER_NAME = re.compile(r"(?i)deadline|remaining|until|timeout|expir|left")


def _timer_sleep(scan: _Loop, sleep: ast.Call) -> bool:
    """A sleep computed from a clock or a deadline (``deadline - loop.time()``)."""
    if not sleep.args:
        return False
    delay = sleep.args[0]
    for node in ast.walk(delay):
        if isinstance(node, ast.Call) and scan.is_clock(node):
            return True
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if name and _TIMER_NAME.search(name):
            return True
    return False


def _receiver_types(fn: FunctionContext, node: ast.expr) -> tuple[str, ...]:
    value = fn.lib(node)
    if isinstance(value, LibObject):
        return lib_mro(value.type)
    return ()


_THREAD_EVENTS = frozenset({"threading.Event", "multiprocessing.Event", "multiprocessing.synchronize.Event"})


def _thread_event(fn: FunctionContext, operand: ast.expr) -> bool:
    for node in ast.walk(operand):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "is_set"
            and any(t in _THREAD_EVENTS for t in _receiver_types(fn, node.func.value))
        ):
            return True
    return False


#: asyncio (anyio, trio) objects with a way to wait for what the loop polls.
_PRIMITIVES = {
    "is_set": frozenset({"asyncio.Event", "anyio.Event", "trio.Event"}),
    "done": frozenset({"asyncio.Task", "asyncio.Future"}),
    "cancelled": frozenset({"asyncio.Task", "asyncio.Future"}),
    "empty": frozenset({"asyncio.Queue"}),
    "full": frozenset({"asyncio.Queue"}),
    "qsize": frozenset({"asyncio.Queue"}),
    "locked": frozenset({"asyncio.Lock", "asyncio.Semaphore", "anyio.Lock", "trio.Lock"}),
    "returncode": frozenset({"asyncio.subprocess.Process"}),
}


def _primitive(fn: FunctionContext, operand: ast.expr) -> bool:
    """``event.is_set()``, ``task.done()``, ``queue.empty()``, ``proc.returncode``... on an
    object known to be an asyncio primitive."""
    for node in ast.walk(operand):
        target: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
        elif isinstance(node, ast.Attribute) and node.attr == "returncode":
            target = node
        if (
            isinstance(target, ast.Attribute)
            and target.attr in _PRIMITIVES
            and not _PRIMITIVES[target.attr].isdisjoint(_receiver_types(fn, target.value))
        ):
            return True
    return False


#: Calls that run a callback on the event loop's own thread.
_LOOP_CALLBACKS = frozenset({"call_soon", "call_later", "call_at", "add_done_callback",
                             "add_signal_handler", "add_reader", "add_writer"})


def _loop_flag(fn: FunctionContext, operand: ast.expr) -> bool:
    """A flag (``self.ready``, a global or ``nonlocal`` name) tested for truth, or a counter
    compared with a number (``self.pending > 0``), that code running on the event loop sets
    (an ``async def``, or a callback the loop runs) and no plain function that may run in
    another thread."""
    operand = _unnegated(operand)
    sized = False  # ``len(self.players) < 2``: the container's items count, not its binding
    if (
        isinstance(operand, ast.Compare)
        and len(operand.ops) == 1
        and isinstance(operand.comparators[0], ast.Constant)
        and type(operand.comparators[0].value) in (int, float)
    ):
        # ``self.pending > 0``: a counter that only the loop's own code changes
        operand = operand.left
        if (isinstance(operand, ast.Call) and isinstance(operand.func, ast.Name)
                and operand.func.id == "len" and len(operand.args) == 1):
            operand, sized = operand.args[0], True
    elif (
        isinstance(operand, ast.Compare)
        and len(operand.ops) == 1
        and isinstance(operand.ops[0], ast.Eq | ast.NotEq | ast.Is | ast.IsNot)
        and isinstance(operand.comparators[0], ast.Constant)
        and isinstance(operand.comparators[0].value, str | bool | type(None))
    ):
        # ``self.state == "ready"``, ``self.doors.get(slot) == "open"``: a state compared with
        # one of its values
        operand = operand.left
        item = _item_of(operand)
        if item is not None:
            operand, sized = item, True  # an entry of the object's dict: its items change
    elif (
        (item := _item_of(operand)) is not None
        and isinstance(item, ast.Attribute)
        and isinstance(item.value, ast.Name)
        and item.value.id == "self"
    ):
        # ``while not self.room_ready[room]:``: an entry of the object's dict of flags
        operand, sized = item, True
    tree = fn.module_tree
    own = isinstance(operand, ast.Attribute) and isinstance(operand.value, ast.Name) and operand.value.id == "self"
    cls = _enclosing_class(tree, fn.node) if own else None
    collection = isinstance(operand, ast.Attribute) and _empty_container_attr(cls, operand.attr)
    if collection:
        sized = True  # ``while self._inflight:``: a collection of the object, tested for items
    scope: ast.AST
    declared = False  # a plain name is set elsewhere only under ``global``/``nonlocal``
    if (
        isinstance(operand, ast.Subscript)
        and isinstance(operand.value, ast.Name)
        and isinstance(operand.slice, ast.Constant)
        and isinstance(operand.slice.value, str)
        and not sized
        and not any(isinstance(t, ast.Name) and t.id == operand.value.id
                    for t in _assigned_targets(fn.node))
    ):
        # ``state["ready"]`` of a module-level dict
        holder, key = operand.value.id, operand.slice.value
        scope = tree

        def sets(target: ast.expr) -> bool:
            return (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                    and target.value.id == holder and isinstance(target.slice, ast.Constant)
                    and target.slice.value == key)
    elif own and isinstance(operand, ast.Attribute):
        if cls is None:
            return False
        scope = cls
        attr = operand.attr
        # The items of the object's collection may be changed by the module's other code
        # too (``room.players[name] = ws`` in a connection handler): look there as well.
        anyone = sized and collection
        if anyone:
            scope = tree

        def sets(target: ast.expr) -> bool:
            if sized and isinstance(target, ast.Subscript):
                target = target.value  # ``self.players[name] = ws``
            return (isinstance(target, ast.Attribute) and target.attr == attr
                    and isinstance(target.value, ast.Name)
                    and (anyone or target.value.id == "self"))
    elif (
        isinstance(operand, ast.Attribute)
        and isinstance(operand.value, ast.Name)
        and not sized
        and _module_global(tree, fn, operand.value.id)
    ):
        # ``state.ready`` on a module-level object: set as ``state.ready = True``
        holder, attr = operand.value.id, operand.attr
        scope = tree

        def sets(target: ast.expr) -> bool:
            return (isinstance(target, ast.Attribute) and target.attr == attr
                    and isinstance(target.value, ast.Name) and target.value.id == holder)
    elif isinstance(operand, ast.Name):
        name = operand.id
        declared = True

        def sets(target: ast.expr) -> bool:
            return isinstance(target, ast.Name) and target.id == name

        # A local of the waiting function (set by the callbacks it defines), or a global.
        scope = fn.node if any(sets(t) for t in _assigned_targets(fn.node)) else tree
    else:
        return False
    callbacks = _loop_callbacks(scope)
    on_loop = False
    for func in ast.walk(scope):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.name in (
            "__init__", "__post_init__"
        ):
            continue
        if func is fn.node:
            continue
        if not any(sets(t) for t in _assigned_targets(func, containers=sized)):
            continue
        if declared and not any(
            isinstance(n, ast.Global | ast.Nonlocal) and name in n.names for n in ast.walk(func)
        ):
            continue  # a local of its own
        if isinstance(func, ast.AsyncFunctionDef) or func.name in callbacks or _needs_running_loop(fn, func):
            on_loop = True
        else:
            return False  # a plain function: it may run in a thread or a signal handler
    return on_loop


_EMPTY_CONTAINERS = frozenset({"set", "list", "dict", "deque", "OrderedDict", "defaultdict", "WeakSet"})


def _empty_container_attr(cls: ast.ClassDef | None, attr: str) -> bool:
    """Whether the class's ``__init__`` makes ``self.<attr>`` an empty collection
    (``set()``, ``[]``, ``{}``, ``deque()``)."""
    if cls is None:
        return False
    for item in cls.body:
        if not (isinstance(item, ast.FunctionDef) and item.name == "__init__"):
            continue
        for node in ast.walk(item):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if not (isinstance(target, ast.Attribute) and target.attr == attr
                    and isinstance(target.value, ast.Name) and target.value.id == "self"):
                continue
            if isinstance(value, ast.List | ast.Set | ast.Dict):
                return not (value.keys if isinstance(value, ast.Dict) else value.elts)
            return (isinstance(value, ast.Call) and not value.args
                    and (name_of(value.func) or "") in _EMPTY_CONTAINERS)
    return False


def _item_of(node: ast.expr) -> ast.expr | None:
    """``self.doors[slot]`` / ``self.doors.get(slot)`` -> ``self.doors``."""
    if isinstance(node, ast.Subscript):
        return node.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and not node.keywords):
        return node.func.value
    return None


def _unnegated(operand: ast.expr) -> ast.expr:
    while isinstance(operand, ast.UnaryOp) and isinstance(operand.op, ast.Not):
        operand = operand.operand
    return operand


def _other_flag(operand: ast.expr) -> ast.Attribute | None:
    """``self.sink.ready`` / ``sink.ready`` tested for truth: a flag of another object."""
    operand = _unnegated(operand)
    if not isinstance(operand, ast.Attribute):
        return None
    holder = operand.value
    if isinstance(holder, ast.Name) and holder.id == "self":
        return None  # the object's own flag: decided in the function stage
    if not isinstance(holder, ast.Name | ast.Attribute):
        return None
    return operand


def _own_flag(operand: ast.expr) -> str | None:
    """``self.ready`` tested for truth: the attribute's name."""
    operand = _unnegated(operand)
    if isinstance(operand, ast.Attribute) and isinstance(operand.value, ast.Name) and operand.value.id == "self":
        return operand.attr
    return None


def _flag_setters(index: ProjectIndex) -> dict[str, set[str]]:
    """Attribute name -> the kinds of function ("async", "sync") that set it on other objects."""
    out: dict[str, set[str]] = {}
    for summary in index.summaries:
        for flag in summary.flags:
            if flag.startswith(SETS_FLAG):
                attr, _, kind = flag[len(SETS_FLAG):].rpartition(":")
                out.setdefault(attr, set()).add(kind)
    return out


def _project_instance(index: ProjectIndex, ref: str, attr: str) -> bool:
    """Whether ``ref`` is an instance of a project class that never sets ``attr`` itself
    after ``__init__`` (its field is set by others), or of a type not known."""
    if not ref:
        return True  # unknown type: the setters decide
    value = index.evaluate(ref)
    if not isinstance(value, PInst):
        return False
    return all(cls.setters.get(attr, 0) == 0 for cls in index.mro(value.qualname) if not isinstance(cls, LibObject))


def _set_on_loop(index: ProjectIndex, ref: str, attr: str) -> bool:
    """Whether the project class of the object ``ref`` sets ``attr`` (after ``__init__``)
    only in its ``async def`` methods, and in at least one."""
    value = index.evaluate(ref)
    if not isinstance(value, PInst):
        return False
    kinds = {cls.setters.get(attr, 0) for cls in index.mro(value.qualname) if not isinstance(cls, LibObject)}
    return SET_ASYNC in kinds and SET_SYNC not in kinds


#: Calls that work only on the event loop's own thread, while it runs.
_LOOP_ONLY = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.get_running_loop"})


def _needs_running_loop(fn: FunctionContext, func: ast.FunctionDef) -> bool:
    """A plain function that starts a task (``asyncio.create_task(...)``): it can only run
    on the event loop, like a coroutine."""
    return any(
        isinstance(node, ast.Call) and fn.callee(node) in _LOOP_ONLY
        for node in ast.walk(func)
    )


def _module_global(tree: ast.Module, fn: FunctionContext, name: str) -> bool:
    """Whether ``name`` in ``fn`` is a module-level name (not a parameter or a local)."""
    node = fn.node
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        if any(a is not None and a.arg == name for a in params):
            return False
    if any(isinstance(t, ast.Name) and t.id == name for t in _assigned_targets(node)):
        return False
    return any(
        isinstance(t, ast.Name) and t.id == name
        for stmt in tree.body
        for t in (stmt.targets if isinstance(stmt, ast.Assign) else
                  [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
    )


def _assigned_targets(func: ast.AST, *, containers: bool = False) -> list[ast.expr]:
    """What a function assigns in its own frame (nested functions are left to themselves);
    with ``containers``, also the containers it changes (``del x[k]``, ``x.append(v)``)."""
    out: list[ast.expr] = []
    stack: list[ast.AST] = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Assign):
            out.extend(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            out.append(node.target)
        elif containers and isinstance(node, ast.Delete):
            out.extend(t.value if isinstance(t, ast.Subscript) else t for t in node.targets)
        elif (containers and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _MUTATORS):
            out.append(node.func.value)
        stack.extend(ast.iter_child_nodes(node))
    return out


#: Methods that change what a container holds.
_MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "popitem", "remove", "discard", "add", "clear",
     "update", "setdefault", "appendleft", "popleft"}
)


def _loop_callbacks(scope: ast.AST) -> set[str]:
    """Names of functions handed to ``loop.call_soon``/``call_later``/``add_done_callback``."""
    out: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr in _LOOP_CALLBACKS
        ):
            for arg in node.args:
                if isinstance(arg, ast.Name):
                    out.add(arg.id)
                elif isinstance(arg, ast.Attribute):
                    out.add(arg.attr)
    return out


def _enclosing_class(tree: ast.Module, node: ast.AST) -> ast.ClassDef | None:
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef) and any(item is node for item in cls.body):
            return cls
    return None


def _acknowledged(fn: FunctionContext, loop: ast.AST) -> bool:
    """``while ...:  # noqa: ASYNC110``: flake8-async's busy-wait rule silenced on purpose."""
    lines = source_lines(fn)
    line = getattr(loop, "lineno", 0)
    if not lines or not 0 < line <= len(lines):
        return False
    return _ASYNC110.search(lines[line - 1]) is not None


_ASYNC110 = re.compile(r"#\s*noqa\b.*\bASYNC11[0-9]\b")


def _short(node: ast.AST, fallback: str = "the condition") -> str:
    return short_source(node, fallback, 50)
