"""``asyncdoctor top``: a live view of a running program's loops and tasks.

It only renders snapshots (see :mod:`asyncdoctor.runtime._snapshot`); it gets
them from the program's live socket (``asyncdoctor run --live``) or, on
Python 3.14+, by reading the process from outside
(:mod:`asyncdoctor.runtime._remote`).  Nothing it does changes the program.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import sys
import time
from collections.abc import Iterator
from typing import Any

from ._errors import UsageError

__all__ = ["register"]

SORTS = ("stuck", "age", "name", "loop")
#: A task pending this long (seconds) counts as stuck: it is shown on top.
STUCK_AGE = 10.0

_EPILOG = """\
Keys in the live view: q quit, s next sort order, / filter (Enter to apply, Esc to clear).
Exit codes: 0 the view ended (or the program did), 2 nothing to attach to.
"""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    top = commands.add_parser(
        "top",
        help="a live view of a running program's loops and tasks",
        description=(
            "Show a running program's event loops (utilization, lag, what blocks them now) and "
            "its tasks (what each awaits, where it is suspended, for how long), refreshed every "
            "second. Attach to a program run with `asyncdoctor run --live` (its own user only), "
            "or, on Python 3.14+, to any Python process of yours by PID."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    top.add_argument("pid", nargs="?", type=_pid, help="the program's process id (default: the "
                     "only program of yours running with --live)")
    top.add_argument("--socket", metavar="PATH", help="the live socket to read (default: found by PID)")
    top.add_argument("--once", action="store_true", help="print one snapshot and exit")
    top.add_argument("--format", choices=("text", "json"), default="text",
                     help="with --once: text (default) or the snapshot's JSON (docs/live.md)")
    top.add_argument("--sort", choices=SORTS, default="stuck", help="task order (default: stuck "
                     "first: running in a blocked loop, then the oldest)")
    top.add_argument("--filter", metavar="TEXT", default="", help="only tasks whose name, "
                     "coroutine or stack contains TEXT")
    top.add_argument("--interval", type=_interval, default=1.0, metavar="SECONDS",
                     help="seconds between refreshes (default: 1)")
    top.set_defaults(handler=_cmd_top, command_parser=top)


def _pid(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a process id")
    return int(text)


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0.1 <= value <= 60:
        raise argparse.ArgumentTypeError("the interval must be between 0.1 and 60 seconds")
    return value


# --- where snapshots come from ------------------------------------------------------------


class _Source:
    """Fetches snapshots: from a live socket, or by reading the process (3.14+)."""

    def __init__(self, pid: int | None, socket_path: str | None, *, live_only: bool = False) -> None:
        from ..runtime._livedir import live_programs
        from ..runtime._livedir import socket_path as path_for

        self.path: str | None = socket_path
        self.pid = pid
        if self.path is None:
            if pid is None:
                programs = live_programs()
                if not programs:
                    raise UsageError(
                        "no program of yours runs with `asyncdoctor run --live`; start one, or give "
                        "a process id (Python 3.14+ reads any Python process of yours)"
                    )
                if len(programs) > 1:
                    listed = ", ".join(map(str, programs))
                    raise UsageError(f"several programs run with --live ({listed}): give one's process id")
                self.pid = programs[0]
            assert self.pid is not None
            try:
                candidate = path_for(self.pid)
            except OSError:
                candidate = ""
            if candidate and os.path.exists(candidate):
                self.path = candidate
        if self.path is None and live_only:
            raise UsageError(f"process {self.pid} does not run with `asyncdoctor run --live`")
        if self.path is None and sys.version_info < (3, 14):
            raise UsageError(
                f"process {self.pid} does not run with `asyncdoctor run --live`, and reading another "
                f"process needs Python 3.14 or later (this is {sys.version.split()[0]})"
            )

    def ask(self, query: str, *, timeout: float = 5.0) -> object:
        """The value the program's live socket answers to ``query``."""
        from ..runtime._live import ask

        assert self.path is not None
        try:
            answer = ask(self.path, query, timeout=timeout)
        except FileNotFoundError:
            raise _Ended(f"the program's socket is gone ({self.path}): it has ended") from None
        except ConnectionRefusedError:
            raise _Ended("the program is not answering any more: it has ended") from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read {self.path}: {exc}") from None
        if not answer.get("ok"):
            raise UsageError(f"the program answered: {answer.get('error', 'an error')}")
        return answer.get("value")

    def fetch(self) -> dict[str, Any]:
        if self.path is not None:
            value = self.ask("snapshot")
            if not isinstance(value, dict):
                raise UsageError("the program's answer is not a snapshot")
            value.setdefault("source", "live")
            return value
        from ..runtime._remote import RemoteError, remote_snapshot

        assert self.pid is not None
        try:
            return remote_snapshot(self.pid)
        except RemoteError as exc:
            if "no process" in str(exc):
                raise _Ended(str(exc)) from None
            raise UsageError(str(exc)) from None


class _Ended(Exception):
    """The program went away: the view ends quietly."""


# --- rendering ----------------------------------------------------------------------------


def _where(frame: dict[str, Any] | None) -> str:
    if not frame:
        return ""
    return f"{_short(str(frame.get('path', '?')))}:{frame.get('line', '?')}"


def _short(path: str) -> str:
    """A path as short as it can be read: relative to here, or from the library's package."""
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in path:
            return path.rpartition(marker)[2]
    lib = os.path.dirname(os.__file__)
    if path.startswith(lib + os.sep):
        return path[len(lib) + 1:]
    if "/lib/python3." in path:  # another interpreter's standard library (a remote read)
        return path.rpartition("/lib/python3.")[2].partition("/")[2] or path
    with contextlib.suppress(ValueError):
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            return rel
    # Elsewhere: the last folders and the file, which a narrow column must not cut off.
    parts = path.split(os.sep)
    return os.sep.join(["…", *parts[-3:]]) if len(parts) > 4 else path


def _suspended_at(task: dict[str, Any]) -> dict[str, Any] | None:
    """The innermost frame of the user's code in a task's stack (else the innermost)."""
    from ..runtime._frames import is_user_file

    stack = task.get("stack") or []
    for frame in reversed(stack):
        if is_user_file(str(frame.get("path", ""))):
            return dict(frame)
    return dict(stack[-1]) if stack else None


def _age(task: dict[str, Any]) -> str:
    age = task.get("age")
    if age is None:
        return "?"
    text = f"{age:.0f}s" if age >= 10 else f"{age:.1f}s"
    return text if task.get("age_exact") else f"≥{text}"


def _blocked_loops(snapshot: dict[str, Any]) -> set[str]:
    return {str(loop["label"]) for loop in snapshot.get("loops", []) if loop.get("blocked_for")}


def _stuck(task: dict[str, Any], blocked: set[str]) -> bool:
    if task.get("state") == "running" and task.get("loop") in blocked:
        return True
    age = task.get("age")
    return bool(age is not None and age >= STUCK_AGE and task.get("age_exact"))


def _matches(task: dict[str, Any], text: str) -> bool:
    if not text:
        return True
    text = text.lower()
    haystack = [str(task.get("name", "")), str(task.get("coroutine", "")), str(task.get("waits_on", ""))]
    haystack += [f"{f.get('path')}:{f.get('line')} {f.get('function')}" for f in task.get("stack") or []]
    return any(text in item.lower() for item in haystack)


def order_tasks(snapshot: dict[str, Any], sort: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    """The tasks to show, in order, each with its depth in the tree of awaits.

    A task awaited by another is shown under it (the tree of awaits), unless a
    filter is on (then the matching tasks alone, flat).  Roots are ordered by
    ``sort``; ``stuck`` puts a task running in a blocked loop first, then the
    oldest.
    """
    tasks = [t for t in snapshot.get("tasks", []) if isinstance(t, dict)]
    blocked = _blocked_loops(snapshot)

    def key(task: dict[str, Any]) -> tuple[Any, ...]:
        age = -(task.get("age") or 0.0)
        name = str(task.get("name", ""))
        if sort == "age":
            return (age, name)
        if sort == "name":
            return (name.lower(), age)
        if sort == "loop":
            return (str(task.get("loop", "")), age, name)
        return (not _stuck(task, blocked), task.get("state") != "running", age, name)

    if text:
        return [(0, t) for t in sorted((t for t in tasks if _matches(t, text)), key=key)]
    by_id = {t.get("id"): t for t in tasks}
    children: dict[object, list[dict[str, Any]]] = {}
    roots: list[dict[str, Any]] = []
    for task in tasks:
        parents = [p for p in task.get("awaited_by") or [] if p in by_id and p != task.get("id")]
        if parents:
            children.setdefault(parents[0], []).append(task)
        else:
            roots.append(task)
    out: list[tuple[int, dict[str, Any]]] = []
    seen: set[object] = set()

    def walk(task: dict[str, Any], depth: int) -> None:
        if task.get("id") in seen:
            return
        seen.add(task.get("id"))
        out.append((depth, task))
        for child in sorted(children.get(task.get("id"), []), key=key):
            walk(child, depth + 1)

    for root in sorted(roots, key=key):
        walk(root, 0)
    for task in sorted(tasks, key=key):  # a cycle of awaits: shown flat, never lost
        walk(task, 0)
    return out


def _lag_p99(loop: dict[str, Any]) -> str:
    lag = loop.get("lag")
    if not isinstance(lag, dict) or not lag.get("count"):
        return "?"
    from ..runtime._metrics import lag_quantile

    bucket = lag_quantile(tuple(lag["bounds"]), list(lag["buckets"]), 0.99)
    if bucket is None:
        return "?"
    high = bucket[1]
    return f"≤{high * 1000:g} ms" if high != float("inf") else f">{bucket[0] * 1000:g} ms"


def loop_rates(loop: dict[str, Any], before: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """A loop's utilization and steps per second: since the ``before`` reading of the same
    loop when there is one (what ``top`` shows at each refresh), else since the loop began.

    ``None`` where it is unknown (uvloop's steps; a remote read; too short a run).
    """
    util = loop.get("utilization")
    steps = loop.get("steps")
    run = loop.get("run_seconds")
    if not isinstance(run, (int, float)) or isinstance(run, bool):
        return (util if isinstance(util, (int, float)) else None), None
    if before is not None and before.get("label") == loop.get("label"):
        span = run - float(before.get("run_seconds") or 0.0)
        if span >= _MIN_SPAN:
            u0, u1 = before.get("utilization"), util
            r0 = float(before.get("run_seconds") or 0.0)
            if isinstance(u0, (int, float)) and isinstance(u1, (int, float)):
                # utilization is busy time / run time since the start: busy time is additive
                util = min(1.0, max(0.0, (u1 * run - u0 * r0) / span))
            s0 = before.get("steps")
            rate = (steps - s0) / span if isinstance(steps, int) and isinstance(s0, int) else None
            return (util if isinstance(util, (int, float)) else None), rate
    rate = steps / run if isinstance(steps, int) and run >= _MIN_SPAN else None
    return (util if isinstance(util, (int, float)) else None), rate


#: Seconds of running time below which a rate is not computed (too short to mean anything).
_MIN_SPAN = 0.05


def _per_second(rate: float | None) -> str:
    if rate is None:
        return "?"
    if rate >= 10_000:
        return f"{rate / 1000:.0f}k"
    return f"{rate:.0f}"


def render(snapshot: dict[str, Any], *, sort: str = "stuck", text: str = "", height: int | None = None,
           typing: str | None = None, previous: dict[str, Any] | None = None) -> Any:
    """The view of one snapshot, as a rich renderable.

    With the ``previous`` snapshot, each loop's utilization and steps per second are
    those of the time between the two (else since the loop began).

    Every string that comes from the program (task names, paths, messages) is
    rendered as plain text: never read as rich markup, control characters
    removed, so a hostile task name cannot restyle or scramble the terminal.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    source = snapshot.get("source", "live")
    when = time.strftime("%H:%M:%S", time.localtime(float(snapshot.get("taken_at", time.time()))))
    head = Text()
    head.append("asyncdoctor top", style="bold")
    head.append(f"  pid {snapshot.get('pid')}  Python {snapshot.get('python')}  {source}  {when}")
    head.append(f"  sort: {sort}")
    if typing is not None:
        head.append(f"  filter: {typing}▏", style="reverse")
    elif text:
        head.append(f"  filter: {text}", style="yellow")

    loops = Table(box=None, pad_edge=False, expand=False, header_style="bold")
    for column, width in (("loop", 12), ("util", 4), ("steps/s", 7), ("lag p99", 9), ("tasks", 5),
                          ("running now", 11), ("blocked", 12)):
        loops.add_column(column, no_wrap=True, min_width=width, overflow="ellipsis")
    earlier = {str(loop.get("label")): loop for loop in (previous or {}).get("loops", [])
               if isinstance(loop, dict)}
    for loop in snapshot.get("loops", []):
        util, rate = loop_rates(loop, earlier.get(str(loop.get("label"))))
        blocked_for = loop.get("blocked_for")
        blocked = (Text(f"{blocked_for * 1000:.0f} ms at {_where(loop.get('blocked_at'))}", style="bold red")
                   if blocked_for else Text(""))
        loops.add_row(
            Text(str(loop.get("label")).rpartition(".")[2].lstrip("_")),  # asyncio._UnixSel...
            Text("?" if util is None else f"{util * 100:.0f}%"),
            Text(_per_second(rate)),
            Text(_lag_p99(loop)),
            Text("?" if loop.get("tasks") is None else str(loop.get("tasks"))),
            Text(str(loop.get("current_task") or "")),
            blocked,
        )

    rows = order_tasks(snapshot, sort, text)
    blocked_loops = _blocked_loops(snapshot)
    tasks = Table(box=None, pad_edge=False, expand=True, header_style="bold")
    tasks.add_column("state", no_wrap=True, min_width=7)
    tasks.add_column("task", no_wrap=True, overflow="ellipsis", min_width=12, max_width=40)
    tasks.add_column("coroutine", no_wrap=True, overflow="ellipsis", min_width=10, max_width=32)
    tasks.add_column("age", no_wrap=True, justify="right", min_width=5)
    tasks.add_column("waits on", no_wrap=True, overflow="ellipsis", min_width=8, max_width=28)
    tasks.add_column("suspended at", no_wrap=True, overflow="ellipsis", min_width=12)
    limit = max(3, (height or 60) - 14 - len(snapshot.get("loops", [])))
    for depth, task in rows[:limit]:
        stuck = _stuck(task, blocked_loops)
        state = str(task.get("state", ""))
        style = "bold red" if stuck else ("green" if state == "running" else "")
        name = ("  " * (depth - 1) + "└ " if depth else "") + str(task.get("name", "?"))
        tasks.add_row(Text(state, style=style), Text(name, style=style), Text(str(task.get("coroutine", ""))),
                      Text(_age(task)), Text(str(task.get("waits_on", ""))), Text(_where(_suspended_at(task))))
    shown = min(len(rows), limit)
    left = len(rows) - shown + int(snapshot.get("tasks_left_out", 0) or 0)
    count = Text(f"{len(rows)} task(s)" + (f", {left} more not shown" if left else ""), style="dim")

    plumbing = _plumbing(snapshot)
    findings = snapshot.get("findings", [])[-5:]
    latest = Table(box=None, pad_edge=False, expand=True, show_header=False)
    latest.add_column("where", no_wrap=True)
    latest.add_column("what", overflow="ellipsis", no_wrap=True)
    for finding in findings:
        latest.add_row(Text(_where(finding.get("location")), style="cyan"),
                       Text(f"{finding.get('kind')}: {finding.get('message')}"))
    parts: list[Any] = [head, Text(""), loops, Text(""), tasks, count]
    if plumbing is not None:
        parts += [Text(""), plumbing]
    if findings:
        parts += [Text(""), Text("latest findings", style="bold"), latest]
    unavailable = snapshot.get("unavailable") or {}
    if source == "remote" and unavailable:
        parts += [Text(""), Text("; ".join(f"{k}: {v}" for k, v in unavailable.items()), style="dim")]
    parts.append(Text("q quit · s sort · / filter · Esc clear filter", style="dim"))
    return Group(*parts)


def _plumbing(snapshot: dict[str, Any]) -> Any:
    """Queues and connection pools, one line each, the fullest first (``None``: none)."""
    from rich.table import Table
    from rich.text import Text

    def number(value: object) -> str:
        return "?" if value is None else str(value)

    rows: list[tuple[float, list[Text]]] = []
    for queue in snapshot.get("queues") or []:
        bound = queue.get("maxsize")
        depth = queue.get("depth")
        full = (depth or 0) / bound if isinstance(bound, int) and bound > 0 else 0.0
        rows.append((full, [Text("queue"), Text(_short(str(queue.get("site", "?")))),
                            Text(f"{number(depth)} items" + (f" / {bound}" if bound else " (unbounded)")),
                            Text(f"{number(queue.get('getters'))} getting, {number(queue.get('putters'))} "
                                 "putting"), Text(f"{queue.get('queues')} queue(s)")]))
    for pool in snapshot.get("pools") or []:
        limit = pool.get("limit")
        used = pool.get("in_use")
        full = (used or 0) / limit if isinstance(limit, int) and limit > 0 else 0.0
        waiting = pool.get("waiters")
        rows.append((full + (1.0 if waiting else 0.0), [
            Text(str(pool.get("kind", "pool"))), Text(_short(str(pool.get("site", "?")))),
            Text(f"{number(used)} in use, {number(pool.get('idle'))} idle" + (f" / {limit}" if limit else "")),
            Text(f"{number(waiting)} waiting", style="bold red" if waiting else ""),
            Text(f"{pool.get('pools')} pool(s)")]))
    if not rows:
        return None
    table = Table(box=None, pad_edge=False, expand=False, header_style="bold")
    for column in ("queue / pool", "made at", "now", "waiting", ""):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for _, cells in sorted(rows, key=lambda r: -r[0])[:8]:
        table.add_row(*cells)
    return table


# --- the command ---------------------------------------------------------------------------


def _cmd_top(args: argparse.Namespace) -> int:
    source = _Source(args.pid, args.socket)
    if args.once:
        try:
            snapshot = source.fetch()
        except _Ended as exc:
            raise UsageError(str(exc)) from None
        if args.format == "json":
            print(json.dumps(snapshot, indent=2))
            return 0
        from rich.console import Console

        Console(highlight=False, soft_wrap=False).print(
            render(snapshot, sort=args.sort, text=args.filter))
        return 0
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the live view needs a terminal; use --once (and --format json) in scripts")
    try:
        return _live(source, args)
    except KeyboardInterrupt:
        return 0


@contextlib.contextmanager
def _keys() -> Iterator[None]:
    """The terminal in cbreak mode (keys arrive one by one, not echoed), restored afterwards."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _read_keys(timeout: float) -> str:
    ready, _, _ = select.select([sys.stdin], [], [], max(0.0, timeout))
    if not ready:
        return ""
    return os.read(sys.stdin.fileno(), 64).decode("utf-8", errors="replace")


def _live(source: _Source, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.live import Live

    console = Console(highlight=False)
    sort, text = args.sort, args.filter
    typing: str | None = None
    ended = ""
    with _keys(), Live(console=console, screen=True, auto_refresh=False) as live:
        snapshot: dict[str, Any] | None = None
        previous: dict[str, Any] | None = None
        next_fetch = 0.0
        while True:
            now = time.monotonic()
            if now >= next_fetch:
                try:
                    previous, snapshot = snapshot, source.fetch()
                except _Ended as exc:
                    ended = str(exc)
                    break
                next_fetch = now + args.interval
            if snapshot is not None:
                live.update(render(snapshot, sort=sort, text=text, height=console.size.height,
                                   typing=typing, previous=previous), refresh=True)
            for key in _read_keys(next_fetch - time.monotonic()):
                if typing is not None:
                    if key in "\r\n":
                        text, typing = typing, None
                    elif key == "\x1b":
                        typing = None
                    elif key in "\x7f\b":
                        typing = typing[:-1]
                    elif key.isprintable():
                        typing += key
                    continue
                if key in "qQ":
                    return 0
                if key == "s":
                    sort = SORTS[(SORTS.index(sort) + 1) % len(SORTS)]
                elif key == "/":
                    typing = ""
                elif key == "\x1b":
                    text = ""
    if ended:
        console.print(f"asyncdoctor: {ended}")
    return 0
