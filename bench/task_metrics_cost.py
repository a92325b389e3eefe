"""What task statistics cost per task, next to OpenTelemetry's asyncio instrumentation and aiomonitor.

One workload, *task churn*: tasks of a coroutine that awaits ``asyncio.sleep(0)`` once,
created with ``asyncio.create_task`` in batches of 100, each batch gathered.  It runs in a
child process in each configuration:

* ``plain``: nothing else (the reference);
* ``doctor``: the runtime doctor with its defaults (tasks alive by coroutine, sampled);
* ``doctor-stats``: the doctor with ``task_stats=True`` (every task's outcome and lifetime);
* ``otel-metrics``: OpenTelemetry's asyncio instrumentation
  (``opentelemetry-instrumentation-asyncio``) with the SDK's ``MeterProvider`` and an
  ``InMemoryMetricReader``: its duration histogram and created counter for every
  coroutine handed to ``create_task``/``gather``/...;
* ``otel-trace``: the same, and the workload's coroutine named in
  ``OTEL_PYTHON_ASYNCIO_COROUTINE_NAMES_TO_TRACE`` as its documentation says, so that
  each one is also a span (the SDK's ``TracerProvider``, a ``SimpleSpanProcessor`` into an
  ``InMemorySpanExporter``, emptied between rounds);
* ``aiomonitor``: ``aiomonitor.start_monitor(loop, hook_task_factory=True)`` as its
  tutorial starts it (task monitoring: creation and termination of every task), serving
  on 127.0.0.1 with free ports; nothing connects to it.

Each child checks that its configuration really works (the doctor counted the tasks, the
meter recorded them, the spans were made, aiomonitor's task factory made the tasks) and
prints the process's CPU time per task (``time.process_time``, every thread: the doctor's
watchdog, aiomonitor's thread) over its timed rounds, after one round of warm-up.  The
runs are interleaved pairs: in each repetition, for each configuration (in rotating
order), one ``plain`` child and one child of that configuration run back to back (which
one first alternates), so that the machine's drifts hit both alike; the ratio of a pair
is its configuration's CPU time per task over plain's.  Printed: per configuration the
CPU time per task and the ratio to plain, min / median / max over the pairs, and the
median extra time per task.  A configuration that cannot be installed or run on this
Python is reported as unknown, with the reason, never as 0.

With ``--callgrind`` each configuration also runs under valgrind's callgrind at two
sizes: instructions per task (the slope, so start-up drops out) and their ratio to
plain's, which a loaded machine does not disturb.  The doctor's timers are scaled by
valgrind's slowdown, as ``bench/overhead_callgrind.py`` does.

The comparison packages live in their own venv, ``bench/_venv_tasks/pyX.Y`` (gitignored;
made with the interpreter under test and the pinned versions below); asyncdoctor comes
from this checkout's ``src/``.

Run it::

    python bench/task_metrics_cost.py                          # 10 pairs each, a few minutes
    python bench/task_metrics_cost.py --reps 20 --json out.json
    python bench/task_metrics_cost.py --callgrind --reps 5     # + instructions per task
    python bench/task_metrics_cost.py --loop uvloop
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
VENV_ROOT = BENCH_DIR / "_venv_tasks"

# Pinned so that figures from different days are comparable; installed group by group,
# so that one that cannot be installed on this Python leaves the others measurable.
PINS: dict[str, tuple[str, ...]] = {
    "otel": (
        "opentelemetry-api==1.45.1",
        "opentelemetry-sdk==1.45.1",
        "opentelemetry-instrumentation-asyncio==0.66b1",
    ),
    "aiomonitor": ("aiomonitor==0.7.1",),
    "uvloop": ("uvloop==0.23.0",),
}
NEEDS = {"otel-metrics": "otel", "otel-trace": "otel", "aiomonitor": "aiomonitor"}
CONFIGS = ("doctor", "doctor-stats", "otel-metrics", "otel-trace", "aiomonitor")
BATCH = 100

CHILD = r'''
import asyncio, json, os, socket, sys, time

mode, tasks, rounds, scale, loop_kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
BATCH = int(sys.argv[6])
check = {}


async def tiny():
    await asyncio.sleep(0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


reset = lambda: None
if mode.startswith("doctor"):
    import asyncdoctor.runtime as rt

    options = {"task_stats": mode == "doctor-stats"}
    if scale > 1:  # under valgrind: the timers fire as often per unit of work as natively
        options.update(threshold=0.1 * scale * 4, heartbeat_interval=0.025 * scale,
                       sample_interval=0.0025 * scale)
    doctor = rt.install(rt.DoctorOptions(**options))
elif mode.startswith("otel"):
    from opentelemetry.instrumentation.asyncio import AsyncioInstrumentor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    reader = InMemoryMetricReader()
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    AsyncioInstrumentor().instrument(
        tracer_provider=tracer_provider, meter_provider=MeterProvider(metric_readers=[reader])
    )
    span_count = [0]

    def reset():
        span_count[0] += len(spans.get_finished_spans())
        spans.clear()


async def churn():
    for _ in range(tasks // BATCH):
        await asyncio.gather(*[asyncio.create_task(tiny()) for _ in range(BATCH)])


async def timed():
    cpu = wall = 0.0
    await churn()  # warm-up
    reset()
    for _ in range(rounds):
        begin, began = time.process_time(), time.perf_counter()
        await churn()
        cpu += time.process_time() - begin
        wall += time.perf_counter() - began
        reset()
    check["wall"] = wall
    return cpu


async def main():
    if mode == "aiomonitor":
        import aiomonitor

        loop = asyncio.get_running_loop()
        with aiomonitor.start_monitor(loop, hook_task_factory=True, host="127.0.0.1",
                                      port=free_port(), console_port=free_port(),
                                      webui_port=free_port()):
            probe = asyncio.create_task(tiny())
            check["task type"] = type(probe).__name__
            await probe
            cpu = await timed()
            await asyncio.sleep(0.2)  # its thread takes in the last terminations
        return cpu
    return await timed()


if loop_kind == "uvloop":
    import uvloop
    cpu = uvloop.run(main())
else:
    cpu = asyncio.run(main())
total = tasks // BATCH * BATCH * rounds
if mode.startswith("doctor"):
    stats = doctor.task_stats()
    check["task_stats"] = None if stats is None else stats.created
    check["loops"] = doctor.report().metrics.loops_seen
    if mode == "doctor-stats" and (stats is None or stats.created < total):
        raise SystemExit(f"the doctor did not count the tasks: {check}")
elif mode.startswith("otel"):
    created = 0
    for rm in reader.get_metrics_data().resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == "asyncio.process.created":
                    created += sum(p.value for p in metric.data.data_points)
    check["created counter"] = created
    check["spans"] = span_count[0]
    if created < total or (mode == "otel-trace" and span_count[0] < total):
        raise SystemExit(f"the instrumentation did not see the tasks: {check}")
elif mode == "aiomonitor" and check.get("task type") != "TracedTask":
    raise SystemExit(f"aiomonitor's task factory did not make the tasks: {check}")
print(json.dumps({"mode": mode, "cpu": cpu, "tasks": total, "per_task_us": cpu / total * 1e6,
                  "check": check}))
'''


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def ensure_venv(python: str, groups: list[str]) -> tuple[Path, dict[str, str]]:
    """The venv for ``python`` with the pinned groups; returns it and the groups that failed."""
    version = subprocess.run(
        [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    venv = VENV_ROOT / f"py{version}"
    venv_python = venv / "bin" / "python"
    if not venv_python.exists():
        log(f"creating {venv}")
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    failed: dict[str, str] = {}
    for group in groups:
        pins = PINS[group]
        marker = venv / f".pins-{group}"
        wanted = "\n".join(pins) + "\n"
        if marker.exists() and marker.read_text() == wanted:
            continue
        log(f"installing {' '.join(pins)} into {venv}")
        done = subprocess.run(
            [str(venv_python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["pip failed"]
            failed[group] = f"cannot install {' '.join(pins)}: {tail[0][:200]}"
            continue
        marker.write_text(wanted)
    return venv_python, failed


def child_env(mode: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_DIR / "src")
    env.pop("PYTHONASYNCIODEBUG", None)
    env.pop("OTEL_PYTHON_ASYNCIO_COROUTINE_NAMES_TO_TRACE", None)
    if mode == "otel-trace":
        env["OTEL_PYTHON_ASYNCIO_COROUTINE_NAMES_TO_TRACE"] = "tiny"
    return env


def run_child(python: Path, script: Path, mode: str, tasks: int, rounds: int, loop: str,
              scale: float = 1.0, prefix: tuple[str, ...] = ()) -> tuple[dict[str, Any] | None, str]:  # fmt: skip
    """One child: its JSON line, or ``None`` and why it failed."""
    command = [*prefix, str(python), str(script), mode, str(tasks), str(rounds), repr(scale), loop,
               str(BATCH)]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=child_env(mode),
                              timeout=1800, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, "timed out"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        said = [line for line in done.stderr.splitlines() if line and not line.startswith(("==", "--"))]
        return None, (said[-1] if said else f"exit {done.returncode}")[:300]
    result: dict[str, Any] = json.loads(lines[-1])
    if prefix:
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            return None, "no instruction count"
        result["instructions"] = int(found.group(1))
    return result, ""


def stats_of(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def measure_cpu(python: Path, script: Path, configs: list[str], unknown: dict[str, str],
                args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    pairs: dict[str, list[tuple[float, float]]] = {name: [] for name in configs}
    checks: dict[str, dict[str, Any]] = {}
    for rep in range(args.reps):
        order = configs[rep % len(configs):] + configs[: rep % len(configs)]
        for config in order:
            if config in unknown:
                continue
            modes = ("plain", config) if rep % 2 == 0 else (config, "plain")
            got: dict[str, float] = {}
            for mode in modes:
                result, why = run_child(python, script, mode, args.tasks, args.rounds, args.loop)
                if result is None:
                    if mode == "plain":
                        raise SystemExit(f"the plain workload failed: {why}")
                    unknown[config] = why
                    break
                got[mode] = result["per_task_us"]
                checks[mode] = result["check"]
            if config in unknown:
                continue
            pairs[config].append((got["plain"], got[config]))
        log(f"repetition {rep + 1}/{args.reps} done")
    return {"pairs": pairs, "checks": checks}


def native_wall(python: Path, script: Path, tasks: int, loop: str) -> float:
    """The fastest wall time of the timed round, natively (start-up left out)."""
    best = float("inf")
    for _ in range(3):
        result, why = run_child(python, script, "plain", tasks, 1, loop)
        if result is None:
            raise SystemExit(f"the plain workload failed: {why}")
        best = min(best, result["check"]["wall"])
    return best


def measure_instructions(python: Path, script: Path, configs: list[str], unknown: dict[str, str],
                         args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    """Instructions per task (callgrind), the slope between two sizes, median of ``--cg-reps``.

    Each child runs its size twice (the warm-up round and one timed round): the slope is
    divided by twice the difference of the sizes.  The doctor's timers are scaled by
    valgrind's slowdown on the timed round (start-up, slower still under valgrind, left out).
    """
    small, large = 2000, 6000
    prefix = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")
    native = native_wall(python, script, small, args.loop)
    first, why = run_child(python, script, "plain", small, 1, args.loop, prefix=prefix)
    if first is None:
        raise SystemExit(f"the plain workload failed under valgrind: {why}")
    scale = max(1.0, first["check"]["wall"] / native)
    counts: dict[tuple[str, int], list[int]] = {}
    for _rep in range(args.cg_reps):
        for mode in ["plain", *configs]:
            if mode in unknown:
                continue
            for size in (small, large):
                result, why = run_child(python, script, mode, size, 1, args.loop, scale, prefix)
                if result is None:
                    unknown[mode] = f"under valgrind: {why}"
                    break
                counts.setdefault((mode, size), []).append(result["instructions"])
        log(f"callgrind repetition {_rep + 1}/{args.cg_reps} done")
    slopes: dict[str, float] = {}
    spread = 0.0
    for mode in ["plain", *configs]:
        if (mode, small) not in counts or (mode, large) not in counts or mode in unknown:
            continue
        low, high = statistics.median(counts[(mode, small)]), statistics.median(counts[(mode, large)])
        slopes[mode] = (high - low) / (2 * (large - small))
        for values in (counts[(mode, small)], counts[(mode, large)]):
            spread = max(spread, (max(values) - min(values)) / statistics.median(values))
    return {"per_task": slopes, "spread": spread, "slowdown": scale, "counts": {
        f"{mode}/{size}": values for (mode, size), values in counts.items()}}


def versions(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json\n"
        "out = {}\n"
        "for name in ('opentelemetry-sdk', 'opentelemetry-instrumentation-asyncio', 'aiomonitor', 'uvloop'):\n"
        "    try:\n        out[name] = m.version(name)\n    except m.PackageNotFoundError:\n        pass\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return json.loads(done.stdout) if done.returncode == 0 else {}


def print_cpu(configs: list[str], pairs: dict[str, list[tuple[float, float]]], unknown: dict[str, str],
              plain_all: list[float], rows: dict[str, Any]) -> None:  # fmt: skip
    print("| configuration | CPU per task (us), min / median / max | ratio to plain, min / median / max "
          "| extra per task (us, median of pairs) |")  # fmt: skip
    print("| --- | ---: | ---: | ---: |")
    if plain_all:
        low, mid, high = stats_of(plain_all)
        print(f"| plain | {low:.2f} / {mid:.2f} / {high:.2f} | 1 | 0 |")
    for name in configs:
        if name in unknown or not pairs.get(name):
            why = unknown.get(name, "no pair ran")
            print(f"| {name} | unknown: {why} | unknown | unknown |")
            rows[name] = {"unknown": why}
            continue
        values = [x for _, x in pairs[name]]
        ratios = [x / p for p, x in pairs[name]]
        extra = statistics.median([x - p for p, x in pairs[name]])
        (low, mid, high), (rlow, rmid, rhigh) = stats_of(values), stats_of(ratios)
        print(f"| {name} | {low:.2f} / {mid:.2f} / {high:.2f} | {rlow:.3f} / {rmid:.3f} / {rhigh:.3f} "
              f"| {extra:+.2f} |")  # fmt: skip
        rows[name] = {"per_task_us": values, "ratios": ratios, "extra_us_median": extra}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    parser.add_argument("--reps", type=int, default=10,
                        help="pairs per configuration (default 10; 0: instructions only, with --callgrind)")
    parser.add_argument("--tasks", type=int, default=20000, help="tasks per timed round (default 20,000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per child (default 3)")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma list of {', '.join(CONFIGS)}")
    parser.add_argument("--callgrind", action="store_true", help="also count instructions per task")
    parser.add_argument("--cg-reps", type=int, default=3, help="callgrind runs of each (default 3)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure here")
    args = parser.parse_args(argv)
    configs = [name for name in args.configs.split(",") if name]
    wrong = [name for name in configs if name not in CONFIGS]
    if wrong:
        parser.error(f"unknown configuration(s): {', '.join(wrong)}")
    if args.reps < 1 and not args.callgrind:
        parser.error("--reps 0 measures nothing without --callgrind")
    if args.callgrind and shutil.which("valgrind") is None:
        parser.error("--callgrind needs valgrind (Debian: apt-get install valgrind)")
    groups = sorted({NEEDS[name] for name in configs if name in NEEDS}
                    | ({"uvloop"} if args.loop == "uvloop" else set()))  # fmt: skip
    python, failed = ensure_venv(args.python, groups)
    if "uvloop" in failed:
        raise SystemExit(failed["uvloop"])
    unknown = {name: failed[NEEDS[name]] for name in configs if NEEDS.get(name) in failed}
    subprocess.run([str(python), "-m", "compileall", "-q", str(REPO_DIR / "src")], check=False)
    with tempfile.TemporaryDirectory(prefix="asyncdoctor-taskcost-") as folder:
        script = Path(folder) / "churn.py"
        script.write_text(CHILD, encoding="utf-8")
        cpu = measure_cpu(python, script, configs, unknown, args)
        instructions = (
            measure_instructions(python, script, configs, unknown, args) if args.callgrind else None
        )
    pairs: dict[str, list[tuple[float, float]]] = cpu["pairs"]
    plain_all = [p for name in configs for p, _ in pairs.get(name, [])]
    version = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    found = versions(python)
    print(f"Python {version}, {args.loop} loop, {platform.machine()}, {os.cpu_count()} cores; "
          f"{args.tasks:,} tasks x {args.rounds} rounds per child, {args.reps} pairs per configuration")  # fmt: skip
    if found:
        print("versions: " + ", ".join(f"{name} {v}" for name, v in sorted(found.items())))
    print()
    rows: dict[str, Any] = {}
    if args.reps > 0:
        print_cpu(configs, pairs, unknown, plain_all, rows)
    if instructions is not None:
        slopes: dict[str, float] = instructions["per_task"]
        print()
        print(f"Instructions per task (callgrind; slope between 2,000 and 6,000 tasks, median of "
              f"{args.cg_reps}; runs spread {instructions['spread']:.2%}; valgrind slowdown "
              f"{instructions['slowdown']:.0f}x):")  # fmt: skip
        print()
        print("| configuration | instructions per task | ratio to plain | extra per task |")
        print("| --- | ---: | ---: | ---: |")
        base = slopes.get("plain")
        for name in ["plain", *configs]:
            if name not in slopes:
                print(f"| {name} | unknown: {unknown.get(name, 'not measured')} | unknown | unknown |")
                continue
            ratio = f"{slopes[name] / base:.3f}" if base else "unknown"
            extra_text = f"{slopes[name] - base:+,.0f}" if base else "unknown"
            print(f"| {name} | {slopes[name]:,.0f} | {ratio} | {extra_text} |")
    if args.json is not None:
        args.json.write_text(json.dumps({
            "python": version, "loop": args.loop, "versions": found, "tasks": args.tasks,
            "rounds": args.rounds, "reps": args.reps, "configurations": rows,
            "plain_per_task_us": plain_all, "checks": cpu["checks"], "instructions": instructions,
        }, indent=2) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
