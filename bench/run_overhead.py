"""What does the runtime doctor cost?  ``asyncdoctor run`` next to plain python and debug mode.

Two workloads, each run as a child process in three ways:

  (a) plain:  ``python WORKLOAD``
  (b) doctor: ``python -m asyncdoctor run WORKLOAD``
  (c) debug:  ``python WORKLOAD`` with ``PYTHONASYNCIODEBUG=1`` (asyncio's debug mode only,
      not ``-X dev``)

The workloads (written to a scratch folder; both stop by themselves):

* ``tasks``: 300,000 ``asyncio.create_task`` of a tiny coroutine in batches of 1,000, each
  batch gathered, then 100,000 more through ``asyncio.gather`` of coroutines in groups of
  100; one task in eight yields once to the loop.
* ``http``: an ``asyncio.start_server`` HTTP/1.1 server on 127.0.0.1 (an ephemeral port) and,
  in the same process, 40 keep-alive client connections sending 1,500 requests each (60,000
  requests), every response read in full; bounded by a timeout.

Each child's CPU time (user + system, from ``os.wait4``) and wall time are measured; runs
are interleaved (every repetition runs every workload in every mode, the order of the modes
rotating) so that the machine's noise hits all modes alike, and each figure is the median of
the repetitions (debug mode, 20 times slower on ``tasks``, runs in the first three only:
``--debug-reps``).  A run that fails (a crash, the wrong output) is reported and left out of
the medians.  Every child's output is checked (the workload prints a checksum line), and
the doctor's stderr must be empty: a clean workload must produce no finding.  asyncdoctor
is byte-compiled first (as ``pip install`` does), so no run pays for compiling it.

Printed: per workload the medians, the doctor's overhead (doctor / plain CPU; target at most
1.05; also "paired": the median over repetitions of doctor / plain within one repetition,
which the machine's slow drifts affect less than a ratio of medians; and "fastest runs": the
fastest doctor run over the fastest plain run, the estimator ``timeit`` recommends, since
other work on the machine only ever adds time) and how much cheaper the doctor is than debug mode: debug mode's extra CPU over plain
divided by the doctor's (target at least 10; the doctor's extra CPU is floored at 0.5 % of
plain so that noise cannot make the ratio infinite).  The start-up cost of ``asyncdoctor
run`` (a program that only runs an empty loop) is printed for the record.

Run it::

    python bench/run_overhead.py                 # 5 repetitions; a few minutes
    python bench/run_overhead.py --reps 3 --json overhead.json
    python bench/run_overhead.py --quick         # smoke test: small workloads, 1 repetition
    python bench/run_overhead.py --workloads tasks,startup --reps 15   # one workload, more runs

Exit status: 0, or 1 when a child failed or printed the wrong output (the targets are
reported, not enforced: they are meaningful only on a quiet machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
MODES = ("plain", "doctor", "debug")
OVERHEAD_TARGET = 1.05
CHEAPER_TARGET = 10.0
NOISE_FLOOR = 0.005  # the doctor's extra CPU counts as at least this share of plain's

TASKS = """\
import asyncio
import sys


async def tiny(i):
    if i % 8 == 0:
        await asyncio.sleep(0)
    return i


async def main(n):
    total = 0
    for start in range(0, n, 1000):
        tasks = [asyncio.create_task(tiny(i)) for i in range(start, min(n, start + 1000))]
        total += sum(await asyncio.gather(*tasks))
    for start in range(0, n // 3, 100):
        total += sum(await asyncio.gather(*(tiny(i) for i in range(start, start + 100))))
    return total


n = int(sys.argv[1])
print("tasks ok", asyncio.run(main(n)))
"""

HTTP = """\
import asyncio
import json
import sys

handlers = set()


async def handle(reader, writer):
    try:
        while True:
            try:
                head = await reader.readuntil(b"\\r\\n\\r\\n")
            except asyncio.IncompleteReadError:
                break
            lines = head.decode("latin-1").split("\\r\\n")
            method, target, version = lines[0].split(" ", 2)
            headers = dict(line.split(": ", 1) for line in lines[1:] if line)
            item = int(target.rsplit("/", 1)[1])
            payload = {"item": item, "host": headers.get("Host"), "tags": ["a", "b"], "ok": True}
            body = json.dumps(payload).encode()
            writer.write(
                b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n%s"
                % (len(body), body)
            )
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


def on_connect(reader, writer):
    task = asyncio.create_task(handle(reader, writer))
    handlers.add(task)
    task.add_done_callback(handlers.discard)


async def client(port, count):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = 0
    for number in range(count):
        writer.write(b"GET /item/%d HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" % number)
        head = await reader.readuntil(b"\\r\\n\\r\\n")
        length = 0
        for line in head.split(b"\\r\\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        received += json.loads(await reader.readexactly(length))["item"] == number
    writer.close()
    await writer.wait_closed()
    return received


async def main(connections, requests):
    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    clients = [client(port, requests) for _ in range(connections)]
    received = await asyncio.wait_for(asyncio.gather(*clients), timeout=300)
    server.close()
    await server.wait_closed()
    await asyncio.gather(*handlers)
    return connections * requests, sum(received)  # both the number of requests


connections, requests = int(sys.argv[1]), int(sys.argv[2])
print("http ok", *asyncio.run(main(connections, requests)))
"""

EMPTY = """\
import asyncio

asyncio.run(asyncio.sleep(0))
print("empty ok")
"""


@dataclass(frozen=True)
class Workload:
    name: str
    source: str
    args: tuple[str, ...]
    expect: str  # the start of the line the workload prints


@dataclass(frozen=True)
class Sample:
    workload: str
    mode: str
    rep: int  # the repetition it belongs to (-1: warm-up)
    cpu: float  # seconds, user + system
    user: float  # seconds, user only
    wall: float  # seconds
    ok: bool = True  # exited 0 with the right output (failed runs are left out of the medians)


def workloads(quick: bool) -> list[Workload]:
    tasks = "20000" if quick else "300000"
    connections, requests = ("10", "100") if quick else ("40", "1500")
    return [
        Workload("tasks", TASKS, (tasks,), "tasks ok"),
        Workload("http", HTTP, (connections, requests), "http ok"),
        Workload("startup", EMPTY, (), "empty ok"),
    ]


def command(mode: str, script: Path, args: Sequence[str], doctor_args: Sequence[str]) -> list[str]:
    if mode == "doctor":
        return [sys.executable, "-m", "asyncdoctor", "run", *doctor_args, str(script), *args]
    return [sys.executable, str(script), *args]


def environment(mode: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONTRACEMALLOC")
    }
    if mode == "debug":
        env["PYTHONASYNCIODEBUG"] = "1"
    return env


def run_once(
    workload: Workload,
    mode: str,
    script: Path,
    scratch: Path,
    doctor_args: Sequence[str],
    rep: int = -1,
) -> tuple[Sample, str | None]:
    """Run one child; its sample, and a description of what went wrong (None if nothing)."""
    out_path, err_path = scratch / "stdout.txt", scratch / "stderr.txt"
    argv = command(mode, script, workload.args, doctor_args)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        pid = os.posix_spawn(
            argv[0], argv, environment(mode), file_actions=_redirect(out.fileno(), err.fileno())
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    problem = None
    if code != 0 or not stdout.startswith(workload.expect):
        problem = f"exit {code}, stdout {stdout[:200]!r}, stderr {stderr[-2000:]!r}"
    elif mode == "doctor" and stderr.strip():
        problem = f"the doctor reported on a clean workload: {stderr[-2000:]}"
    cpu = usage.ru_utime + usage.ru_stime
    sample = Sample(workload.name, mode, rep, cpu, usage.ru_utime, wall, ok=problem is None)
    return sample, problem


def _redirect(out: int, err: int) -> list[tuple[int, ...]]:
    return [(os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)]


def measure(
    reps: int,
    debug_reps: int,
    quick: bool,
    doctor_args: Sequence[str],
    progress: bool,
    only: Sequence[str] = (),
) -> tuple[list[Sample], list[str]]:
    samples: list[Sample] = []
    problems: list[str] = []
    loads = [w for w in workloads(quick) if not only or w.name in only]
    with tempfile.TemporaryDirectory(prefix="asyncdoctor-overhead-") as folder:
        scratch = Path(folder)
        scripts = {}
        for workload in loads:
            scripts[workload.name] = scratch / f"{workload.name}.py"
            scripts[workload.name].write_text(workload.source, encoding="utf-8")
        for workload in loads:  # warm-up, untimed: the page cache, the .pyc files
            for mode in MODES:
                _, problem = run_once(workload, mode, scripts[workload.name], scratch, doctor_args)
                if problem:
                    problems.append(f"{workload.name}/{mode} (warm-up): {problem}")
            if quick:
                break
        for rep in range(reps):
            for index, workload in enumerate(loads):
                shift = (rep + index) % len(MODES)
                for mode in MODES[shift:] + MODES[:shift]:
                    if mode == "debug" and rep >= debug_reps:
                        continue
                    sample, problem = run_once(
                        workload, mode, scripts[workload.name], scratch, doctor_args, rep
                    )
                    samples.append(sample)
                    if problem:
                        problems.append(f"{workload.name}/{mode}: {problem}")
                    if progress:
                        print(
                            f"  rep {rep + 1}/{reps} {workload.name:<8} {mode:<6} "
                            f"cpu {sample.cpu:7.3f} s (user {sample.user:7.3f} s)  "
                            f"wall {sample.wall:7.3f} s",
                            file=sys.stderr,
                        )
    return samples, problems


@dataclass(frozen=True)
class Row:
    workload: str
    cpu: dict[str, float]  # mode -> median CPU seconds
    user: dict[str, float]  # mode -> median user CPU seconds
    wall: dict[str, float]  # mode -> median wall seconds
    doctor_overhead: float  # doctor CPU / plain CPU
    paired: float  # median over repetitions of (doctor CPU / plain CPU) in that repetition
    paired_low: float  # 95 % bootstrap interval of that median (the spread of the method)
    paired_high: float
    fastest: float  # fastest doctor run / fastest plain run (noise only ever adds time)
    doctor_overhead_user: float  # the same, user CPU only
    debug_overhead: float  # debug CPU / plain CPU
    cheaper: float  # debug's extra CPU / the doctor's extra CPU (floored)


def summarise(samples: Sequence[Sample]) -> list[Row]:
    rows = []
    for name in dict.fromkeys(sample.workload for sample in samples):
        good = [s for s in samples if s.workload == name and s.ok]
        if {s.mode for s in good} != set(MODES):
            continue
        cpu = {mode: statistics.median(s.cpu for s in good if s.mode == mode) for mode in MODES}
        user = {mode: statistics.median(s.user for s in good if s.mode == mode) for mode in MODES}
        wall = {mode: statistics.median(s.wall for s in good if s.mode == mode) for mode in MODES}
        plain = cpu["plain"]
        by_rep: dict[int, dict[str, float]] = {}
        for s in good:
            by_rep.setdefault(s.rep, {})[s.mode] = s.cpu
        ratios = [
            r["doctor"] / r["plain"] for r in by_rep.values() if {"doctor", "plain"} <= set(r)
        ]
        doctor_extra = max(cpu["doctor"] - plain, NOISE_FLOOR * plain)
        low, high = _bootstrap_median(ratios)
        rows.append(
            Row(
                workload=name,
                cpu=cpu,
                user=user,
                wall=wall,
                doctor_overhead=cpu["doctor"] / plain,
                paired=statistics.median(ratios),
                paired_low=low,
                paired_high=high,
                fastest=min(s.cpu for s in good if s.mode == "doctor")
                / min(s.cpu for s in good if s.mode == "plain"),
                doctor_overhead_user=user["doctor"] / user["plain"],
                debug_overhead=cpu["debug"] / plain,
                cheaper=(cpu["debug"] - plain) / doctor_extra,
            )
        )
    return rows


def _bootstrap_median(values: Sequence[float], rounds: int = 2000) -> tuple[float, float]:
    """The 95 % bootstrap interval of the median of ``values`` (fixed seed: reproducible)."""
    import random

    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    rng = random.Random(0)
    medians = sorted(
        statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds)
    )
    return medians[int(0.025 * rounds)], medians[int(0.975 * rounds) - 1]


def render(rows: Sequence[Row], reps: int, debug_reps: int, quick: bool) -> str:
    lines = [
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; median of {reps} interleaved run(s) "
        f"({min(reps, debug_reps)} in debug mode)"
        + (" (--quick: small workloads)" if quick else ""),
        "",
        "| workload | plain CPU | doctor CPU | debug CPU | doctor / plain | doctor / plain, "
        "paired [95 % interval] | doctor / plain, fastest runs | doctor / plain, user CPU | debug / plain | debug's extra / doctor's extra "
        "| wall plain / doctor / debug |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.workload == "startup":
            continue
        lines.append(
            f"| {row.workload} | {row.cpu['plain']:.3f} s | {row.cpu['doctor']:.3f} s "
            f"| {row.cpu['debug']:.3f} s | {row.doctor_overhead:.3f} "
            f"({_verdict(row.doctor_overhead <= OVERHEAD_TARGET)}) "
            f"| {row.paired:.3f} [{row.paired_low:.3f}, {row.paired_high:.3f}] "
            f"({_verdict(row.paired <= OVERHEAD_TARGET)}) "
            f"| {row.fastest:.3f} ({_verdict(row.fastest <= OVERHEAD_TARGET)}) "
            f"| {row.doctor_overhead_user:.3f} | {row.debug_overhead:.2f} "
            f"| {row.cheaper:.1f}x ({_verdict(row.cheaper >= CHEAPER_TARGET)}) "
            f"| {row.wall['plain']:.2f} / {row.wall['doctor']:.2f} / {row.wall['debug']:.2f} s |"
        )
    for row in rows:
        if row.workload == "startup":
            extra = (row.cpu["doctor"] - row.cpu["plain"]) * 1000
            lines += [
                "",
                f"Start-up of `asyncdoctor run` (an empty `asyncio.run`): {extra:+.0f} ms CPU "
                f"({row.cpu['plain'] * 1000:.0f} ms plain, {row.cpu['doctor'] * 1000:.0f} ms "
                "under the doctor); included in the figures above.",
            ]
    lines += [
        "",
        f"Targets: doctor / plain <= {OVERHEAD_TARGET} on both workloads; debug mode's extra "
        f"CPU >= {CHEAPER_TARGET:g}x the doctor's.",
    ]
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _compile_asyncdoctor() -> None:
    """Byte-compile the asyncdoctor that the children import, as ``pip install`` does.

    Otherwise, under ``PYTHONDONTWRITEBYTECODE`` or in a fresh checkout, every doctor run
    compiles asyncdoctor's modules again (about 25 ms measured) and the figures show the
    cost of a source checkout, not of the doctor.
    """
    import compileall
    import subprocess

    found = subprocess.run(
        [sys.executable, "-c", "import asyncdoctor, os; print(os.path.dirname(asyncdoctor.__file__))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    compileall.compile_dir(found, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure the CPU cost of `asyncdoctor run` against plain python and "
        "asyncio's debug mode."
    )
    parser.add_argument(
        "--reps", type=int, default=None, help="repetitions (default: 5; 1 with --quick)"
    )
    parser.add_argument(
        "--debug-reps", type=int, default=3, metavar="N",
        help="run debug mode in the first N repetitions only (it is slow; default: 3)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="small workloads, one repetition")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write samples and figures here")
    parser.add_argument(
        "--doctor-args", default="", metavar="ARGS",
        help="extra options for `asyncdoctor run`, e.g. '--threshold 0.05'",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--workloads", default="", metavar="NAMES",
        help="comma-separated subset of tasks,http,startup (default: all)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    reps = args.reps if args.reps is not None else (1 if args.quick else 5)
    if reps < 1:
        parser.error("--reps must be at least 1")
    os.chdir(REPO_DIR)
    _compile_asyncdoctor()
    debug_reps = max(1, args.debug_reps)
    only = [name for name in args.workloads.split(",") if name]
    samples, problems = measure(
        reps, debug_reps, args.quick, args.doctor_args.split(), not args.quiet, only
    )
    rows = summarise(samples)
    print(render(rows, reps, debug_reps, args.quick))
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    if args.json is not None:
        data = {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "reps": reps,
            "debug_reps": debug_reps,
            "quick": args.quick,
            "doctor_args": args.doctor_args,
            "rows": [asdict(row) for row in rows],
            "samples": [asdict(sample) for sample in samples],
            "problems": problems,
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
