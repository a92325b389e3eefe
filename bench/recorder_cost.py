"""What the timeline's recorder costs, next to the doctor without it, VizTracer and aiomonitor.

Three measures, all in the same run and on the same interpreter:

1. **Instructions per unit of work** (valgrind's callgrind), as in
   ``bench/overhead_callgrind.py``: each workload (``tasks``, ``http``: the loopback
   HTTP server, ``http-uvloop``) at two sizes, the cost per unit being the slope between
   them, so that start-up drops out.  Modes: ``plain`` (no tool), ``doctor`` (the
   default doctor), ``recorder`` (the doctor with ``timeline=True``: the recording
   alone; writing the files at exit is measured apart, see 2.),
   ``viztracer`` (VizTracer with ``log_async=True``, its asyncio timeline, saved at
   exit as ``viztracer app.py`` does) and ``aiomonitor`` / ``aiomonitor-factory``
   (``aiomonitor.start_monitor`` around the loop, without and with its task factory,
   which records every task's creation chain); the peers run once at each size
   (``--peer-reps``): they are far from the noise.  The doctor's clocks (heartbeat, its
   watchdog's and the recorder's sampling, the recorder's task-sample floor and lag
   step) are scaled by valgrind's slowdown, measured in the same run, so that they
   fire as often per unit of work as natively.  The peers run on ``tasks`` and
   ``http`` only (aiomonitor needs asyncio's loop here; uvloop workloads print ``-``).
2. **CPU time, natively** (``--cpu-reps``, 0 to skip): plain, doctor and recorder,
   interleaved, the median of the per-repetition ratios; and what writing the trace
   and the page costs at exit (once, bounded by the recorder's caps).  Instructions miss one cost
   of the recorder: its sampler thread takes the GIL from a busy loop thread up to
   200 times a second, and each hand-over costs the loop thread a wait.  On this
   shared machine CPU times vary by 10 to 20 % between runs: read it as a check.
3. **Memory with a million tasks**: 1,000,000 tasks in waves of 50,000 pending at once
   (five times the recorder's task table), natively: each mode's peak RSS, and the
   bytes the recorder's rings and tables hold at the end (every object reachable from
   them, counted once).

The peers come from their own venv (``bench/_venv/timeline-peers``, created on first
use with the running interpreter, with ``viztracer`` and ``aiomonitor`` and this
checkout installed editable); a peer that cannot be installed or run prints
``unknown``, never 0.  Run it::

    python bench/recorder_cost.py                       # everything, a while
    python bench/recorder_cost.py --workloads tasks --reps 1 --cpu-reps 0 --no-memory
    python bench/recorder_cost.py --json cost.json

It prints one table row per workload and the memory figures, ready for
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from overhead_callgrind import WORKLOADS  # noqa: E402
from run_overhead import HTTP, TASKS  # noqa: E402

PEERS_VENV = BENCH_DIR / "_venv" / "timeline-peers"
PEER_PINS = ("viztracer==1.1.1", "aiomonitor==0.7.1")
MODES = ("plain", "doctor", "recorder", "viztracer", "aiomonitor", "aiomonitor-factory")
PEER_MODES = ("viztracer", "aiomonitor", "aiomonitor-factory")
_COLLECTED = re.compile(r"Collected : (\d+)")

DRIVER = """\
import os, runpy, sys
mode, scale, out, script, *args = sys.argv[1:]
scale = float(scale)
doctor = tracer = None
if mode in ("doctor", "recorder", "recorder-write"):
    import asyncdoctor.runtime as rt
    marked = "uvloop" not in script
    if mode != "doctor":
        from asyncdoctor.runtime import _recorder
        _recorder.TASK_SAMPLE_FLOOR *= scale
        _recorder.LAG_STEP *= scale
    doctor = rt.install(rt.DoctorOptions(
        threshold=0.1 * scale * 4,
        heartbeat_interval=(0.025 if marked else 0.002) * scale,
        sample_interval=0.0025 * scale,
        timeline=mode != "doctor",
    ))
elif mode == "viztracer":
    from viztracer import VizTracer
    tracer = VizTracer(output_file=out + ".json", verbose=0, log_async=True)
    tracer.start()
elif mode.startswith("aiomonitor"):
    import asyncio
    import aiomonitor
    base = 21000 + os.getpid() % 3000 * 3
    original_run = asyncio.run

    def run(main, *, debug=None):
        # the program's one asyncio.run: aiomonitor's own thread runs its UI with asyncio.run
        asyncio.run = original_run
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            with aiomonitor.start_monitor(
                loop, hook_task_factory=mode == "aiomonitor-factory", port=base,
                console_port=base + 1, webui_port=base + 2,
            ):
                return loop.run_until_complete(main)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    asyncio.run = run
sys.argv = [script, *args]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    if tracer is not None:
        tracer.stop()
        tracer.save()
    if mode == "recorder-write":
        import json, time
        from asyncdoctor.export.timeline import write_html
        from asyncdoctor.export.trace import write_trace
        began = time.process_time()
        timeline = doctor.timeline()
        write_trace(timeline, out + ".json")
        write_html(timeline, out + ".html")
        print(json.dumps({"write_cpu": time.process_time() - began,
                          "trace_bytes": os.path.getsize(out + ".json"),
                          "html_bytes": os.path.getsize(out + ".html")}), file=sys.stderr)
"""

MEMORY = """\
import asyncio, gc, json, resource, sys, types, weakref
mode, n, wave = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
doctor = None
if mode != "plain":
    import asyncdoctor.runtime as rt
    doctor = rt.install(rt.DoctorOptions(timeline=mode == "recorder"))


async def tiny():
    await asyncio.sleep(0.06)


async def main():
    for _ in range(0, n, wave):
        await asyncio.gather(*(tiny() for _ in range(wave)))


def deep_size(roots, skip):
    shared = (type, types.ModuleType, types.FunctionType, types.CodeType, weakref.ref)
    seen, todo, total = set(), list(roots), 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen or id(obj) in skip or isinstance(obj, shared):
            continue
        if type(obj).__name__ in ("LoopState", "Doctor", "Recorder", "LoopRecording"):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
        if hasattr(obj, "__slots__"):
            todo.extend(getattr(obj, name) for name in obj.__slots__ if hasattr(obj, name))
    return total


asyncio.run(main())
held = None
recorder = doctor.recorder if doctor is not None else None
if recorder is not None:
    roots = [recorder.busy.data, recorder.lag.data, recorder.runs, recorder.slow, recorder.tasks,
             recorder._frames, *[[getattr(rec, name) for name in rec.__slots__]
                                 for rec in recorder.loops.values()]]
    held = deep_size(roots, {id(doctor), id(recorder)})
print(json.dumps({
    "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "recorder_bytes": held,
    "tasks_kept": len(recorder.tasks) if recorder is not None else None,
}))
"""


def log(message: str) -> None:
    print(f"[recorder_cost] {message}", file=sys.stderr, flush=True)


def peers_python(python: str) -> tuple[str, dict[str, str]]:
    """The peers' venv python (created if needed), and which peers it could not get."""
    venv_python = PEERS_VENV / "bin" / "python"
    missing: dict[str, str] = {}
    if not venv_python.exists():
        log(f"creating {PEERS_VENV} with {python}")
        subprocess.run([python, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run([str(venv_python), "-m", "pip", "install", "-q", "-e", str(REPO_DIR),
                        "uvloop"], check=True)  # fmt: skip
        for pin in PEER_PINS:
            done = subprocess.run([str(venv_python), "-m", "pip", "install", "-q", pin],
                                  capture_output=True, text=True, check=False)  # fmt: skip
            if done.returncode != 0:
                log(f"cannot install {pin}: {done.stderr.strip()[-300:]}")
    for name, module in (("viztracer", "viztracer"), ("aiomonitor", "aiomonitor")):
        probe = subprocess.run([str(venv_python), "-c", f"import {module}"], capture_output=True,
                               text=True, check=False)  # fmt: skip
        if probe.returncode != 0:
            missing[name] = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else "?"
    return str(venv_python), missing


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONWARNINGS"))}  # fmt: skip


def native_wall(python: str, driver: Path, script: Path, args: tuple[str, ...], out: Path) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([python, str(driver), "plain", "1", str(out), str(script), *args],
                       check=True, capture_output=True, env=_env())  # fmt: skip
        best = min(best, time.perf_counter() - started)
    return best


def callgrind(python: str, driver: Path, mode: str, scale: float, script: Path,
              args: tuple[str, ...], out: Path) -> int | None:  # fmt: skip
    """Instructions of one run, or None when the run failed (said on stderr)."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         python, str(driver), mode, repr(scale), str(out), str(script), *args],
        capture_output=True, text=True, check=False, env=_env(),
    )  # fmt: skip
    found = _COLLECTED.search(result.stderr)
    if result.returncode != 0 or found is None or " ok" not in result.stdout:
        log(f"{mode} run failed: {result.stdout[-300:]} {result.stderr[-1500:]}")
        return None
    if mode in ("doctor", "recorder"):
        said = [line for line in result.stderr.splitlines() if line.startswith("asyncdoctor")]
        if said:
            log(f"note: the doctor said something on a clean workload: {said[:5]}")
    return int(found.group(1))


def measure(python: str, names: list[str], modes: list[str], scratch: Path,
            reps: int, peer_reps: int) -> list[dict[str, object]]:  # fmt: skip
    driver = scratch / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    subprocess.run([python, "-m", "compileall", "-q", str(REPO_DIR / "src")], check=False)
    rows: list[dict[str, object]] = []
    for name in names:
        source, small, large, units = WORKLOADS[name]
        # not `http.py`: the script's folder comes first on sys.path, and aiomonitor imports
        # the standard library's `http`
        script = scratch / f"workload_{name.replace('-', '_')}.py"
        script.write_text(source, encoding="utf-8")
        out = scratch / "out"
        wanted = [m for m in modes if m not in PEER_MODES or "uvloop" not in name]
        scale = 1.0
        runs: dict[tuple[str, int], list[int]] = {}
        failed: set[str] = set()
        native = native_wall(python, driver, script, small, out)
        for rep in range(reps):
            for size, args in enumerate((small, large)):
                for mode in wanted:
                    if mode in failed or (mode in PEER_MODES and rep >= peer_reps):
                        continue
                    started = time.perf_counter()
                    count = callgrind(python, driver, mode, scale, script, args, out)
                    if mode == "plain" and size == 0 and rep == 0:
                        scale = max(1.0, (time.perf_counter() - started) / native)
                        log(f"{name}: valgrind slowdown {scale:.0f}x")
                    if count is None:
                        failed.add(mode)
                        continue
                    runs.setdefault((mode, size), []).append(count)
        span = units[1] - units[0]
        slopes: dict[str, float | None] = {}
        spreads: dict[str, float] = {}
        for mode in modes:
            if mode not in wanted:
                slopes[mode] = None
                continue
            if mode in failed or (mode, 0) not in runs or (mode, 1) not in runs:
                slopes[mode] = None
                continue
            small_n = statistics.median(runs[(mode, 0)])
            large_n = statistics.median(runs[(mode, 1)])
            slopes[mode] = (large_n - small_n) / span
            spreads[mode] = max(
                (max(v) - min(v)) / statistics.median(v) for v in (runs[(mode, 0)], runs[(mode, 1)])
            )
        row: dict[str, object] = {
            "workload": name, "units": units, "slowdown": round(scale, 1),
            "per_unit": {m: (round(v) if v is not None else None) for m, v in slopes.items()},
            "spread": spreads,
            "counts": {f"{m}/{s}": v for (m, s), v in runs.items()},
            "skipped": sorted(set(modes) - set(wanted)),
        }  # fmt: skip
        rows.append(row)
        log(f"{name}: {row['per_unit']}")
    return rows


def _native_scripts(names: list[str], scratch: Path) -> list[tuple[str, Path, tuple[str, ...]]]:
    """The workloads measured natively (at their native size): name, script written, arguments."""
    sizes = {"tasks": (TASKS, ("300000",)), "http": (HTTP, ("40", "1500"))}
    out = []
    for name in names:
        if name in sizes:
            source, args = sizes[name]
            script = scratch / f"native_{name}.py"
            script.write_text(source, encoding="utf-8")
            out.append((name, script, args))
    return out


def cpu_times(python: str, names: list[str], scratch: Path, reps: int) -> dict[str, dict[str, float]]:
    """Median per-repetition CPU ratios, natively: recorder / plain, recorder / doctor."""
    driver = scratch / "driver.py"
    out: dict[str, dict[str, float]] = {}
    for name, script, args in _native_scripts(names, scratch):
        ratios: dict[str, list[float]] = {"recorder/plain": [], "recorder/doctor": [], "doctor/plain": []}
        for rep in range(reps):
            cpu: dict[str, float] = {}
            order = ["plain", "doctor", "recorder"]
            order = order[rep % 3:] + order[: rep % 3]
            for mode in order:
                pid = os.posix_spawn(python, [python, str(driver), mode, "1", str(scratch / "o"),
                                              str(script), *args], _env())  # fmt: skip
                _, status, usage = os.wait4(pid, 0)
                if status != 0:
                    log(f"native {mode} {name} failed ({status})")
                cpu[mode] = usage.ru_utime + usage.ru_stime
            ratios["recorder/plain"].append(cpu["recorder"] / cpu["plain"])
            ratios["recorder/doctor"].append(cpu["recorder"] / cpu["doctor"])
            ratios["doctor/plain"].append(cpu["doctor"] / cpu["plain"])
        out[name] = {key: statistics.median(values) for key, values in ratios.items()}
        log(f"native {name}: {out[name]}")
    return out


def write_cost(python: str, names: list[str], scratch: Path) -> dict[str, dict[str, float]]:
    """What writing the trace and the page costs at exit, natively, after the native size."""
    driver = scratch / "driver.py"
    out: dict[str, dict[str, float]] = {}
    for name, script, args in _native_scripts(names, scratch):
        done = subprocess.run([python, str(driver), "recorder-write", "1", str(scratch / "w"),
                               str(script), *args], capture_output=True, text=True, check=False,
                              env=_env())  # fmt: skip
        lines = [line for line in done.stderr.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            log(f"writing after {name} failed: {done.stderr[-500:]}")
            continue
        out[name] = json.loads(lines[-1])
        log(f"writing after {name}: {out[name]}")
    return out


def memory(python: str, scratch: Path, n: int, wave: int) -> dict[str, dict[str, object]]:
    script = scratch / "memory.py"
    script.write_text(MEMORY, encoding="utf-8")
    figures: dict[str, dict[str, object]] = {}
    for mode in ("plain", "doctor", "recorder"):
        done = subprocess.run([python, str(script), mode, str(n), str(wave)], capture_output=True,
                              text=True, check=False, env=_env())  # fmt: skip
        if done.returncode != 0:
            log(f"memory {mode} failed: {done.stderr[-500:]}")
            continue
        figures[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        log(f"memory {mode}: {figures[mode]}")
    return figures


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "unknown"
    return f"{a / b - 1:+.2%}"


def _times(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "unknown"
    return f"{a / b:.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=None, help="the interpreter (default: the peers' venv)")
    parser.add_argument("--workloads", default="tasks,http,http-uvloop")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--reps", type=int, default=3, help="callgrind runs of each (median)")
    parser.add_argument(
        "--peer-reps", type=int, default=1,
        help="callgrind runs of each peer (they cost several times more, far from the noise)",
    )  # fmt: skip
    parser.add_argument("--cpu-reps", type=int, default=5, help="native CPU-time repetitions")
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    parser.add_argument(
        "--no-callgrind", dest="callgrind", action="store_false",
        help="skip the instruction counts (for the CPU and memory figures alone)",
    )  # fmt: skip
    parser.add_argument("--tasks", type=int, default=1_000_000, help="tasks of the memory run")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    if args.callgrind and shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    missing: dict[str, str] = {}
    python = args.python
    if python is None:
        python, missing = peers_python(sys.executable)
    names = [n for n in args.workloads.split(",") if n]
    modes = [m for m in args.modes.split(",") if m]
    for peer, why in missing.items():
        log(f"{peer} is unavailable ({why}): its figures are unknown")
        modes = [m for m in modes if not m.startswith(peer)]
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="asyncdoctor-recorder-") as folder:
        scratch = Path(folder)
        rows = measure(python, names, modes, scratch, args.reps, args.peer_reps) if args.callgrind else []
        (scratch / "driver.py").write_text(DRIVER, encoding="utf-8")
        cpu = cpu_times(python, names, scratch, args.cpu_reps) if args.cpu_reps > 0 else {}
        written = write_cost(python, names, scratch) if args.cpu_reps > 0 else {}
        mem = memory(python, scratch, args.tasks, 50_000) if args.memory else {}
    print(f"Python {version}: instructions per unit of work (callgrind), slope between two sizes")
    print()
    print("| workload | plain | doctor | recorder | recorder vs plain | recorder vs doctor "
          "| VizTracer vs plain | aiomonitor vs plain | aiomonitor + task factory vs plain |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        per: dict[str, float | None] = row["per_unit"]  # type: ignore[assignment]
        skipped: list[str] = row["skipped"]  # type: ignore[assignment]

        def peer(mode: str, per: dict[str, float | None] = per, skipped: list[str] = skipped) -> str:
            return "-" if mode in skipped else _times(per.get(mode), per.get("plain"))

        def cell(mode: str, per: dict[str, float | None] = per) -> str:
            value = per.get(mode)
            return f"{value:,.0f}" if value is not None else "unknown"

        print(f"| {row['workload']} | {cell('plain')} | {cell('doctor')} | {cell('recorder')} "
              f"| {_ratio(per.get('recorder'), per.get('plain'))} "
              f"| {_ratio(per.get('recorder'), per.get('doctor'))} "
              f"| {peer('viztracer')} | {peer('aiomonitor')} | {peer('aiomonitor-factory')} |")  # fmt: skip
    if cpu:
        print()
        print("CPU time natively, median of per-repetition ratios:")
        for name, figures in cpu.items():
            print(f"- {name}: " + ", ".join(f"{k} {v - 1:+.1%}" for k, v in figures.items()))
    if written:
        print()
        print("Writing the trace and the page at exit, natively (CPU time, file sizes):")
        for name, figures in written.items():
            print(f"- after {name}: {figures['write_cpu'] * 1000:.0f} ms, trace "
                  f"{figures['trace_bytes'] / 1e6:.2f} MB, page {figures['html_bytes'] / 1e6:.2f} MB")
    if mem:
        print()
        print(f"{args.tasks:,} tasks, 50,000 pending at once (natively):")
        for mode, figures in mem.items():
            held = figures.get("recorder_bytes")
            extra = f", the recorder holds {int(held) / 2**20:.1f} MB ({figures['tasks_kept']} tasks)" if held else ""  # type: ignore[call-overload]
            print(f"- {mode}: peak RSS {int(figures['peak_rss']) / 2**20:.0f} MB{extra}")  # type: ignore[call-overload]
    if args.json is not None:
        args.json.write_text(json.dumps({"python": version, "rows": rows, "cpu": cpu,
                                         "write": written, "memory": mem}, indent=2) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
