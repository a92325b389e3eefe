"""Snapshots of a running program, taken from another thread, as ``asyncdoctor top`` shows them.

Each program runs its loop in a thread of its own and the test takes the
snapshot from the main thread at a moment the program signals (a
``threading.Event``), so nothing depends on timing: the program waits on
events, and the one that blocks its loop does so until the test lets it go.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import asyncdoctor.runtime as rt
from asyncdoctor.cli._top import order_tasks, render
from asyncdoctor.runtime._snapshot import Snapshot, Snapshotter

LOOPS = ["asyncio", pytest.param("uvloop", marks=pytest.mark.skipif(
    sys.platform == "win32", reason="uvloop is not available on Windows"))]
WAIT = 60.0


def _runner(loop: str) -> Callable[[Coroutine[Any, Any, None]], None]:
    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        return uvloop.run  # type: ignore[no-any-return]
    return asyncio.run


@contextmanager
def _in_thread(loop: str, main: Callable[[], Coroutine[Any, Any, None]]) -> Iterator[None]:
    run = _runner(loop)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            run(main())
        except BaseException as exc:  # pragma: no cover - shown by the test
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join(WAIT)
        assert not thread.is_alive()
        assert not errors, errors


def _task(snapshot: Snapshot, name: str) -> Any:
    [task] = [t for t in snapshot.tasks if t.name == name]
    return task


@pytest.mark.parametrize("loop", LOOPS)
def test_tasks_and_what_they_await(loop: str) -> None:
    ready, done = threading.Event(), threading.Event()

    async def leaf(event: asyncio.Event) -> None:
        await event.wait()

    async def waiter(task: asyncio.Task[None]) -> None:
        await task

    async def main() -> None:
        event = asyncio.Event()
        child = asyncio.create_task(leaf(event), name="child")
        parent = asyncio.create_task(waiter(child), name="parent")
        await asyncio.sleep(0)
        ready.set()
        await asyncio.to_thread(done.wait, WAIT)
        event.set()
        await parent

    with rt.watch(rt.DoctorOptions(threshold=5.0)) as doctor, _in_thread(loop, main):
        assert ready.wait(WAIT)
        snapshot = Snapshotter(doctor).take()
        done.set()
    [view] = snapshot.loops
    assert view.health.running and view.tasks == 3
    assert view.blocked_for is None
    child, parent = _task(snapshot, "child"), _task(snapshot, "parent")
    assert child.coroutine.endswith("leaf") and parent.coroutine.endswith("waiter")
    assert child.awaited_by == (parent.id,)  # the tree of awaits
    assert [f.function for f in child.stack][:1] == ["leaf"]
    assert child.stack[0].path == __file__
    assert "wait" in child.waits_on
    assert child.state == "pending" and not child.age_exact
    data = json.loads(json.dumps(snapshot.to_json()))
    assert data["version"] == 1 and data["source"] == "live"
    names = sorted(t["name"] for t in data["tasks"])
    assert names[1:] == ["child", "parent"] and names[0].startswith("Task-")  # and main()
    rows = order_tasks(data, "stuck", "")
    depth = {task["name"]: d for d, task in rows}
    assert depth["child"] == depth["parent"] + 1  # shown under the task that awaits it


@pytest.mark.parametrize("loop", LOOPS)
def test_a_loop_blocked_right_now_shows_the_line(loop: str) -> None:
    blocking, release = threading.Event(), threading.Event()

    async def main() -> None:
        await asyncio.sleep(0)
        blocking.set()
        release.wait(WAIT)  # blocks the loop until the test has looked

    with rt.watch(rt.DoctorOptions(threshold=0.05)) as doctor, _in_thread(loop, main):
        assert blocking.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while True:  # the step is "blocking" once it has run past the threshold
            snapshot = Snapshotter(doctor).take()
            if snapshot.loops and snapshot.loops[0].blocked_for is not None:
                break
            assert time.monotonic() < deadline, snapshot
            time.sleep(0.02)
        release.set()
    [view] = snapshot.loops
    assert view.blocked_for is not None and view.blocked_for >= 0.05
    assert view.blocked_at is not None
    assert view.blocked_at.path == __file__ and view.blocked_at.function == "main"
    running = [t for t in snapshot.tasks if t.state == "running"]
    assert len(running) == 1 and running[0].waits_on == "running"
    # main() (under uvloop.run's wrapper), then threading.Event.wait, inward
    assert "main" in [f.function for f in running[0].stack]
    # and the view puts it on top, in red
    data = snapshot.to_json()
    assert order_tasks(data, "stuck", "")[0][1]["state"] == "running"
    from rich.console import Console

    console = Console(width=160, record=True, color_system=None)
    console.print(render(data))
    text = console.export_text()
    assert "blocked" in text and "test_snapshot.py:" in text


def test_no_task_is_kept_alive() -> None:
    import gc
    import weakref

    refs: list[weakref.ref[asyncio.Task[None]]] = []

    async def main() -> None:
        task = asyncio.create_task(asyncio.sleep(0.01))
        refs.append(weakref.ref(task))
        snapper.take()
        await task

    with rt.watch() as doctor:
        snapper = Snapshotter(doctor)
        asyncio.run(main())
    gc.collect()
    assert refs[0]() is None


def test_filter_and_sort_orders() -> None:
    snapshot: dict[str, Any] = {
        "loops": [],
        "tasks": [
            {"id": 1, "name": "old", "coroutine": "poll", "age": 50.0, "age_exact": True, "state": "pending",
             "stack": [{"path": "app.py", "line": 3, "function": "poll"}], "awaited_by": []},
            {"id": 2, "name": "young", "coroutine": "fetch", "age": 1.0, "age_exact": True, "state": "pending",
             "stack": [], "awaited_by": []},
            {"id": 3, "name": "inner", "coroutine": "read", "age": 0.5, "age_exact": True, "state": "pending",
             "stack": [], "awaited_by": [2]},
        ],
    }
    assert [t["name"] for _, t in order_tasks(snapshot, "stuck", "")] == ["old", "young", "inner"]
    assert [t["name"] for _, t in order_tasks(snapshot, "name", "")] == ["old", "young", "inner"]
    assert [d for d, _ in order_tasks(snapshot, "name", "")] == [0, 0, 1]
    assert [t["name"] for _, t in order_tasks(snapshot, "age", "app.py")] == ["old"]
    assert [t["name"] for _, t in order_tasks(snapshot, "age", "READ")] == ["inner"]


def test_names_from_the_program_are_plain_text() -> None:
    from rich.console import Console

    snapshot: dict[str, Any] = {
        "pid": 1, "python": "3.x", "loops": [], "findings": [],
        "tasks": [{"id": 1, "name": "[bold red]x[/] \x1b[2J", "coroutine": "[link=http://a]c[/link]",
                   "age": 1.0, "age_exact": True, "state": "pending", "stack": [], "awaited_by": []}],
    }
    console = Console(width=160, record=True, color_system="truecolor", force_terminal=True)
    console.print(render(snapshot))
    text = console.export_text()
    assert "[bold red]x[/]" in text and "[link=http://a]c[/link]" in text
    assert "\x1b[2J" not in console.export_text(styles=True)


def test_ages_are_exact_with_task_stats() -> None:
    ready, done = threading.Event(), threading.Event()

    async def main() -> None:
        task = asyncio.create_task(asyncio.to_thread(done.wait, WAIT), name="counted")
        await asyncio.sleep(0)
        ready.set()
        await task

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor, _in_thread("asyncio", main):
        assert ready.wait(WAIT)
        began = time.monotonic()
        time.sleep(0.05)
        snapshot = Snapshotter(doctor).take()
        done.set()
    counted = _task(snapshot, "counted")
    assert counted.age_exact and counted.age is not None
    assert counted.age >= 0.05  # created before the test started waiting
    assert counted.age <= time.monotonic() - began + WAIT
