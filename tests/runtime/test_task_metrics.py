"""Task figures by coroutine: tasks alive (sampled, always on) and task statistics (``task_stats``).

Outcomes are counted exactly; lifetimes are checked against bounds that come
from the mechanism, not from the machine's speed: a task that waits for an
event set ``D`` seconds after it was created lives at least ``D``, and at most
as long as the test itself measures around it (the test reads the clock
before ``create_task`` and in a done callback it adds after the doctor's,
which therefore runs first).  Every figure is read in the process that made
it; the exporters' output is parsed with their own libraries.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

import asyncdoctor.runtime as rt
from asyncdoctor.runtime._taskstats import DURATION_BOUNDS, MAX_NAMES, OTHER, TOP, rank

# Imported before any doctor is installed: uvloop binds ``asyncio._set_running_loop`` once,
# when it is imported, and must not keep the wrapper of a doctor a test has uninstalled
# (the doctor then finds uvloop's loops through ``sys.set_asyncgen_hooks``).
try:
    import uvloop
except ImportError:  # pragma: no cover - not on Windows
    uvloop = None  # type: ignore[assignment]

pytest_plugins = ["pytester"]

TIMEOUT = 120


def _run(main: Callable[[], Coroutine[Any, Any, None]], loop: str) -> None:
    if loop == "uvloop":
        uvloop.run(main())
    else:
        asyncio.run(main())


LOOPS = ["asyncio", pytest.param("uvloop", marks=pytest.mark.skipif(uvloop is None, reason="no uvloop"))]


def _by_name(stats: rt.TaskStats | None) -> dict[str, rt.CoroutineTasks]:
    assert stats is not None
    return {group.name: group for group in stats.coroutines}


async def _finishes() -> None:
    await asyncio.sleep(0)


async def _fails() -> None:
    await asyncio.sleep(0)
    raise LookupError("expected by the test")


async def _waits_forever() -> None:
    await asyncio.Event().wait()


@pytest.mark.parametrize("loop", LOOPS)
def test_outcomes_are_counted_exactly(loop: str) -> None:
    async def main() -> None:
        done = [asyncio.create_task(_finishes()) for _ in range(7)]
        failed = [asyncio.create_task(_fails()) for _ in range(3)]
        cancelled = [asyncio.create_task(_waits_forever()) for _ in range(5)]
        await asyncio.sleep(0)
        for task in cancelled:
            task.cancel()
        cancelled.append(asyncio.create_task(_finishes()))  # cancelled before it ever ran
        cancelled[-1].cancel()
        results = await asyncio.gather(*done, *failed, *cancelled, return_exceptions=True)
        assert sum(isinstance(r, LookupError) for r in results) == 3

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        _run(main, loop)
    groups = _by_name(doctor.task_stats())
    finishes, fails, waits = groups["_finishes"], groups["_fails"], groups["_waits_forever"]
    assert (finishes.created, finishes.done, finishes.cancelled, finishes.failed) == (8, 7, 1, 0)
    assert (fails.created, fails.done, fails.cancelled, fails.failed) == (3, 0, 0, 3)
    assert (waits.created, waits.done, waits.cancelled, waits.failed) == (5, 0, 5, 0)
    # the main task, made before the loop ran, is counted from when the loop starts
    main_name = "run.<locals>.wrapper" if loop == "uvloop" else "test_outcomes_are_counted_exactly.<locals>.main"
    assert (groups[main_name].created, groups[main_name].done) == (1, 1)
    for group in groups.values():
        assert group.duration_buckets[-1] == group.finished
        assert list(group.duration_buckets) == sorted(group.duration_buckets)  # cumulative


def test_reading_the_outcome_leaves_the_exception_unretrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # asyncio must still log "Task exception was never retrieved", and the doctor report it.
    kept: list[asyncio.Task[None]] = []

    async def main() -> None:
        kept.append(asyncio.create_task(_fails()))
        await asyncio.sleep(0.01)
        assert kept[0].done()

    options = rt.DoctorOptions(task_stats=True, detectors=frozenset({"unretrieved-exception"}))
    with caplog.at_level(logging.ERROR, logger="asyncio"), rt.watch(options) as doctor:
        asyncio.run(main())
        kept.clear()
        gc.collect()
        findings = doctor.report().findings
    assert "Task exception was never retrieved" in caplog.text
    assert [f.kind for f in findings] == ["unretrieved-exception"]
    assert _by_name(doctor.task_stats())["_fails"].failed == 1


async def _waits_for(event: asyncio.Event) -> None:
    await event.wait()


def _bucket(seconds: float) -> int:
    return bisect_left(DURATION_BOUNDS, seconds)


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("delay", [0.003, 0.2])
def test_lifetimes_fall_in_the_buckets_the_mechanism_allows(loop: str, delay: float) -> None:
    # Each task waits for its own event, set by a timer of `delay` seconds started after the
    # task was created: it lives at least from when `create_task` returned until the timer
    # is due, and at most what the test measures around it.  The timer is due `delay` after
    # the loop's time when it started, which is no earlier than `loop.time()` read before:
    # asyncio's loops read the doctor's clock; uvloop's time is libuv's, in whole
    # milliseconds, from a clock that may lag (which only lowers the bound), and it rounds
    # the delay to the millisecond.
    measured: list[float] = []
    lower: list[float] = []
    slack = 0.0005 if loop == "uvloop" else 1e-6

    async def main() -> None:
        loop_ = asyncio.get_running_loop()
        tasks = []
        for _ in range(10):
            event = asyncio.Event()
            began = time.monotonic()
            at = loop_.time()
            task = asyncio.create_task(_waits_for(event))
            made = time.monotonic()
            loop_.call_later(delay, event.set)
            lower.append(at + delay - slack - made)
            task.add_done_callback(lambda _t, began=began: measured.append(time.monotonic() - began))
            tasks.append(task)
        await asyncio.gather(*tasks)
        await asyncio.sleep(0)  # the test's own done callbacks have run

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        _run(main, loop)
    group = _by_name(doctor.task_stats())["_waits_for"]
    assert group.done == group.finished == 10 and len(measured) == 10
    low, high = _bucket(min(lower)), _bucket(max(measured))
    counts = [group.duration_buckets[0]] + [
        b - a for a, b in zip(group.duration_buckets, group.duration_buckets[1:], strict=False)
    ]
    assert sum(counts[low : high + 1]) == 10, (counts, min(lower), max(measured))
    assert sum(lower) <= group.duration_sum <= sum(measured)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are 3.12+")
def test_eager_tasks_that_finish_at_creation_are_counted() -> None:
    async def quick() -> int:
        return 1

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined]
        tasks = [asyncio.create_task(quick()) for _ in range(6)]
        assert all(task.done() for task in tasks)  # finished inside create_task
        failed = asyncio.create_task(_fails())  # eager: runs to its first await
        waiting = asyncio.create_task(_waits_forever())
        waiting.cancel()
        await asyncio.gather(*tasks, failed, waiting, return_exceptions=True)
        assert loop.get_task_factory() is asyncio.eager_task_factory  # type: ignore[attr-defined]

    with rt.watch(rt.DoctorOptions(task_stats=True, task_sites=True)) as doctor:
        asyncio.run(main())
    groups = _by_name(doctor.task_stats())
    quick_name = "test_eager_tasks_that_finish_at_creation_are_counted.<locals>.quick"
    assert (groups[quick_name].created, groups[quick_name].done) == (6, 6)
    assert groups[quick_name].duration_buckets[-1] == 6
    assert (groups["_fails"].created, groups["_fails"].failed) == (1, 1)
    assert (groups["_waits_forever"].created, groups["_waits_forever"].cancelled) == (1, 1)


def test_a_thousand_names_stay_within_the_bound() -> None:
    # Coroutine functions made with exec: 1,000 distinct names, plus one frequent name.
    namespace: dict[str, Any] = {"asyncio": asyncio}
    for number in range(1000):
        exec(f"async def job_{number}(event):\n    await event.wait()\n", namespace)
    seen_pending: list[rt.LoopHealth] = []

    async def main() -> None:
        event = asyncio.Event()
        tasks = [asyncio.create_task(namespace[f"job_{n}"](event)) for n in range(1000)]
        tasks += [asyncio.create_task(_waits_for(event)) for _ in range(50)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until a heartbeat has counted them all
            await asyncio.sleep(0.005)
            health = rt.current().loop_health()  # type: ignore[union-attr]
            if health and (health[-1].tasks_pending or 0) >= 1050:
                seen_pending.append(health[-1])
                break
        event.set()
        await asyncio.gather(*tasks)

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        asyncio.run(main())
    [health] = seen_pending
    alive = dict(health.tasks_by_coroutine or ())
    assert len(alive) == TOP + 1 and alive["_waits_for"] == 50
    assert sum(alive.values()) == health.tasks_pending
    stats = doctor.task_stats()
    assert stats is not None
    assert len(stats.coroutines) == TOP + 1
    assert stats.coroutines[0].name == "_waits_for" and stats.coroutines[-1].name == OTHER
    # and asyncio.run's own: the main task, shutting down async generators and the executor
    assert stats.created == stats.finished >= 1051
    assert len(doctor.tasks.stats.merged()) <= MAX_NAMES  # type: ignore[union-attr]


def test_rank_merges_a_coroutine_named_other_into_the_rest() -> None:
    assert rank({"a": 3, "other": 2, "b": 1, "c": 1}, 2) == (("a", 3), ("b", 1), ("other", 3))
    assert rank({"a": 1}, 2) == (("a", 1),)


def test_loops_in_threads_count_without_losing_any() -> None:
    async def work() -> None:
        await asyncio.sleep(0)

    async def main() -> None:
        for _ in range(20):
            await asyncio.gather(*(asyncio.create_task(work()) for _ in range(100)))

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        threads = [threading.Thread(target=asyncio.run, args=(main(),)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        gc.collect()  # the loops are gone: their tables are folded into the past
        stats = doctor.task_stats()
    group = _by_name(stats)["test_loops_in_threads_count_without_losing_any.<locals>.work"]
    assert (group.created, group.done, group.duration_buckets[-1]) == (8000, 8000, 8000)


def test_no_task_is_kept_alive() -> None:
    refs: list[weakref.ref[asyncio.Task[None]]] = []

    async def main() -> None:
        done = asyncio.create_task(_finishes())
        await done
        refs.append(weakref.ref(done))
        pending = asyncio.create_task(_waits_forever())  # never finishes, never cancelled
        await asyncio.sleep(0)
        refs.append(weakref.ref(pending))
        del done, pending

    with rt.watch(rt.DoctorOptions(task_stats=True, detectors=frozenset())) as doctor:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(main())
        finally:
            loop.close()
        gc.collect()
        assert [ref() for ref in refs] == [None, None]
    groups = _by_name(doctor.task_stats())
    assert (groups["_waits_forever"].created, groups["_waits_forever"].finished) == (1, 0)


def test_by_default_nothing_runs_per_task_and_alive_tasks_are_still_named() -> None:
    seen: list[tuple[tuple[str, int], ...] | None] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        assert loop._task_factory is None  # type: ignore[attr-defined]  # no factory of ours
        event = asyncio.Event()
        tasks = [asyncio.create_task(_waits_for(event)) for _ in range(30)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            [health] = rt.current().loop_health()  # type: ignore[union-attr]
            if (health.tasks_pending or 0) >= 31:
                seen.append(health.tasks_by_coroutine)
                break
        assert not tasks[0]._callbacks  # type: ignore[attr-defined]  # no done callback of ours
        event.set()
        await asyncio.gather(*tasks)

    with rt.watch() as doctor:
        asyncio.run(main())
        assert doctor.task_stats() is None
    [by_name] = seen
    assert by_name is not None
    assert dict(by_name)["_waits_for"] == 30
    assert sum(count for _, count in by_name) == 31  # and the main task


def test_the_program_still_sees_its_own_task_factory() -> None:
    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        assert loop.get_task_factory() is None
        loop.set_task_factory(factory)
        assert loop.get_task_factory() is factory
        await asyncio.create_task(_finishes())

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        asyncio.run(main())
    assert _by_name(doctor.task_stats())["_finishes"].done == 1


PROMETHEUS = """
import asyncio
import asyncdoctor.runtime as rt
from prometheus_client import CollectorRegistry, generate_latest
from asyncdoctor.export.prometheus import AsyncdoctorCollector

async def ok():
    await asyncio.sleep(0)

async def bad():
    raise ValueError

async def main():
    event = asyncio.Event()
    waiting = [asyncio.create_task(event.wait()) for _ in range(3)]
    while not (rt.current().loop_health()[0].tasks_pending or 0) >= 4:
        await asyncio.sleep(0.005)
    print(generate_latest(registry).decode())
    print("----")
    event.set()
    await asyncio.gather(*(ok() for _ in range(4)), bad(), return_exceptions=True)
    await asyncio.gather(*waiting)

doctor = rt.install(rt.DoctorOptions(task_stats={stats}))
registry = CollectorRegistry()
registry.register(AsyncdoctorCollector())
asyncio.run(main())
print(generate_latest(registry).decode())
"""


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(prog)], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False, cwd=tmp_path)  # fmt: skip


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


@pytest.mark.parametrize("stats", [False, True], ids=["default", "task-stats"])
def test_prometheus_families(stats: bool, tmp_path: Path) -> None:
    pytest.importorskip("prometheus_client")
    done = _python(PROMETHEUS.format(stats=stats), tmp_path)
    assert done.returncode == 0, done.stderr
    during, after = (_samples(text) for text in done.stdout.split("----"))
    active = {labels["coroutine"]: value for labels, value in during["python_asyncio_tasks_active"]}
    assert active == {"Event.wait": 3.0, "main": 1.0}
    assert all(labels["loop"].endswith("#1") for labels, _ in during["python_asyncio_tasks_active"])
    if not stats:
        assert "python_asyncio_tasks_finished_total" not in after
        assert "python_asyncio_task_duration_seconds_count" not in after
        if sys.version_info < (3, 14):
            [(labels, _)] = after["python_asyncio_tasks_created_total"]
            assert labels == {}
        return
    created = {labels["coroutine"]: v for labels, v in after["python_asyncio_tasks_created_total"]}
    assert created["ok"] == 4 and created["bad"] == 1 and created["Event.wait"] == 3
    finished = {
        (labels["coroutine"], labels["outcome"]): value
        for labels, value in after["python_asyncio_tasks_finished_total"]
    }
    assert finished[("ok", "done")] == 4 and finished[("ok", "failed")] == 0
    assert finished[("bad", "failed")] == 1 and finished[("Event.wait", "done")] == 3
    buckets = [
        (labels["le"], value)
        for labels, value in after["python_asyncio_task_duration_seconds_bucket"]
        if labels["coroutine"] == "ok"
    ]
    assert buckets[-1] == ("+Inf", 4.0) and len(buckets) == len(DURATION_BOUNDS) + 1
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    counts = {labels["coroutine"]: v for labels, v in after["python_asyncio_task_duration_seconds_count"]}
    assert counts["ok"] == 4 and counts["Event.wait"] == 3


OTEL = """
import asyncio, json
import asyncdoctor.runtime as rt
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from asyncdoctor.export.otel import instrument

async def ok():
    await asyncio.sleep(0)

async def slow():
    await asyncio.sleep(0.2)

async def main():
    task = asyncio.create_task(slow())
    while not (rt.current().loop_health()[0].tasks_pending or 0) >= 2:
        await asyncio.sleep(0.005)
    await asyncio.gather(*(ok() for _ in range(5)), asyncio.sleep(0))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

reader = InMemoryMetricReader()
instrument(MeterProvider(metric_readers=[reader]))
doctor = rt.install(rt.DoctorOptions(task_stats=True))
asyncio.run(main())
out = {}
for rm in reader.get_metrics_data().resource_metrics:
    for sm in rm.scope_metrics:
        for metric in sm.metrics:
            out[metric.name] = [[dict(p.attributes), p.value] for p in metric.data.data_points]
print(json.dumps(out))
"""


def test_opentelemetry_task_instruments(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.sdk")
    import json

    done = _python(OTEL, tmp_path)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)
    active = {a["coroutine"]: v for a, v in metrics["python.asyncio.tasks.active"]}
    assert active["slow"] == 1 and active["main"] == 1
    created = {a["coroutine"]: v for a, v in metrics["python.asyncio.tasks.created"]}
    assert created["ok"] == 5 and created["slow"] == 1
    finished = {(a["coroutine"], a["outcome"]): v for a, v in metrics["python.asyncio.tasks.finished"]}
    assert finished[("ok", "done")] == 5 and finished[("slow", "cancelled")] == 1
    p99 = {a["coroutine"]: v for a, v in metrics["python.asyncio.task.duration.p99"]}
    assert 0 < p99["ok"] <= DURATION_BOUNDS[-1] and "slow" in p99


def test_run_task_stats_flag(tmp_path: Path) -> None:
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent("""
        import asyncio
        import asyncdoctor.runtime as rt

        async def job():
            await asyncio.sleep(0)

        async def main():
            await asyncio.gather(*(job() for _ in range(3)))

        asyncio.run(main())
        stats = rt.current().task_stats()
        print(rt.current().options.task_stats, [(c.name, c.done) for c in stats.coroutines if c.name == "job"])
    """))
    done = subprocess.run([sys.executable, "-m", "asyncdoctor", "run", "--task-stats", "prog.py"],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True [('job', 3)]\n"


@pytest.mark.parametrize(("ini", "args"), [
    ("asyncdoctor_task_stats = true\n", ()),
    ("", ("--asyncdoctor-task-stats",)),
], ids=["ini", "option"])  # fmt: skip
def test_pytest_plugin_task_stats(pytester: pytest.Pytester, ini: str, args: tuple[str, ...]) -> None:
    pytester.makeini(f"[pytest]\nasyncdoctor = true\n{ini}")
    pytester.makepyfile(test_app=textwrap.dedent("""
        import asyncio
        import asyncdoctor.runtime as rt

        async def job():
            await asyncio.sleep(0)

        def test_counts():
            asyncio.run(job())
            names = {c.name: c.done for c in rt.current().task_stats().coroutines}
            assert names["job"] == 1
    """))
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1)


def test_a_full_table_counts_further_names_as_other(monkeypatch: pytest.MonkeyPatch) -> None:
    from asyncdoctor.runtime import _taskstats

    monkeypatch.setattr(_taskstats, "MAX_NAMES", 5)
    namespace: dict[str, Any] = {"asyncio": asyncio}
    for number in range(20):
        exec(f"async def job_{number}():\n    await asyncio.sleep(0)\n", namespace)

    async def main() -> None:
        await asyncio.gather(*(namespace[f"job_{n % 20}"]() for n in range(40)))

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        asyncio.run(main())
    merged = doctor.tasks.stats.merged()  # type: ignore[union-attr]
    assert len(merged) == 5 + 1 and OTHER in merged  # the first five names, and the rest
    stats = doctor.task_stats()
    assert stats is not None and stats.created == stats.finished
    jobs = sum(group.created for group in stats.coroutines if group.name.startswith("job_"))
    assert jobs + _by_name(stats)[OTHER].created + 1 == stats.created  # + the main task


def test_tasks_created_falls_back_to_the_statistics_where_the_registry_is_not_counted() -> None:
    # From 3.14 asyncio's registry cannot be counted cheaply (see _tasks._install_counter).
    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        doctor.tasks._counting = False
        asyncio.run(_finishes())
        stats = doctor.task_stats()
        assert stats is not None and doctor.tasks.created == stats.created >= 1
        assert doctor.report().metrics.tasks_created == stats.created


def test_statistics_that_cannot_be_read_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from asyncdoctor.runtime import _taskstats

    monkeypatch.setattr(_taskstats, "outcomes_readable", lambda: "no _exception member here")
    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        asyncio.run(_finishes())
    assert doctor.task_stats() is None
    assert ("task statistics", "no _exception member here") in doctor.report().unavailable


def test_with_creation_sites_too_the_site_is_still_the_callers_line() -> None:
    lines: list[int] = []

    async def main() -> None:
        lines.append(sys._getframe().f_lineno + 1)
        asyncio.create_task(_waits_forever())  # noqa: RUF006 - left pending on purpose
        await asyncio.sleep(0)

    options = rt.DoctorOptions(task_stats=True, task_sites=True, detectors=frozenset({"pending-task"}))
    with rt.watch(options) as doctor:
        asyncio.run(main())
        [finding] = doctor.report().findings
    assert finding.created_at is not None and finding.created_at.line == lines[0]
    assert _by_name(doctor.task_stats())["_waits_forever"].cancelled == 1  # by asyncio.run


def test_exported_series_stay_bounded_with_many_names() -> None:
    pytest.importorskip("prometheus_client")
    from prometheus_client import CollectorRegistry, generate_latest

    from asyncdoctor.export.prometheus import AsyncdoctorCollector

    namespace: dict[str, Any] = {"asyncio": asyncio}
    for number in range(300):
        exec(f"async def job_{number}():\n    await asyncio.sleep(0)\n", namespace)

    async def main() -> None:
        await asyncio.gather(*(namespace[f"job_{n}"]() for n in range(300)))

    with rt.watch(rt.DoctorOptions(task_stats=True)) as doctor:
        asyncio.run(main())
    registry = CollectorRegistry()
    registry.register(AsyncdoctorCollector(doctor))
    samples = _samples(generate_latest(registry).decode())
    for name in ("python_asyncio_tasks_created_total", "python_asyncio_tasks_finished_total",
                 "python_asyncio_task_duration_seconds_count"):  # fmt: skip
        names = {labels["coroutine"] for labels, _ in samples[name]}
        assert len(names) == TOP + 1 and OTHER in names, name
    assert sum(v for _, v in samples["python_asyncio_tasks_created_total"]) == doctor.tasks.created


def test_the_quick_parser_reads_task_stats_as_argparse_does() -> None:
    from asyncdoctor.cli._run import _parse_quickly, _parser

    for argv in (["--task-stats", "app.py"], ["-q", "--task-stats", "--", "app.py", "--task-stats"]):
        quick = _parse_quickly(argv)
        assert quick is not None and quick.task_stats is True
        assert vars(quick) == vars(_parser().parse_args(argv))
