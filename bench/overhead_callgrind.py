"""The runtime doctor's cost per unit of work, in instructions (valgrind's callgrind).

Wall and CPU times on a shared machine vary by 10 to 20 % from one run to the next, more
than the few per cent the doctor costs; instruction counts do not.  Each workload runs at
two sizes, plain and under the doctor, each under ``valgrind --tool=callgrind``; the cost
per unit of work is the slope between the two sizes (so start-up, the same at both sizes,
drops out) and the doctor's overhead is its slope over the plain slope.  Start-up is
printed apart (the doctor's instructions at the small size minus plain's, minus the
per-unit part).

Valgrind runs a program about 50 times slower, and the doctor's timers (its heartbeat, its
watchdog's looks) fire by the clock: under valgrind they would fire 50 times more often
per unit of work than on the real machine.  So the doctor's intervals are scaled by the
slowdown measured in the same run (valgrind's wall time over a native run's, plain, same
workload), and it fires as often per unit of work as it does natively.  The threshold
gets 4 times more than that: valgrind slows some code more than the average (the
garbage collector, C-heavy steps), and a batch of callbacks that is short natively must
not look late to the watchdog and be sampled (natively it takes no sample in these
workloads: measured), which would be a cost the doctor does not have.

Workloads (the same as ``bench/run_overhead.py``'s, smaller): ``tasks`` (tasks created in
batches and gathered, one in eight yields once) and ``http`` (an ``asyncio.start_server``
HTTP/1.1 server on 127.0.0.1 and keep-alive clients in the same process); ``http-uvloop``
is the same on uvloop, where the heartbeat runs every 2 ms (see docs/runtime.md).

Each configuration runs ``--reps`` times (3), interleaved, and the median counts; the
spread of the runs (largest minus smallest over the median, the worst configuration)
is printed with them: it is the noise of the method, to read the overhead against
(the HTTP workload is not entirely deterministic: which connection is ready at each
turn of the loop varies).

Run it::

    python bench/overhead_callgrind.py                   # every workload, this python
    python bench/overhead_callgrind.py --workloads tasks --python /path/to/python3.14

It prints one table row per workload: instructions per unit, plain and doctor, the
overhead, and the start-up instructions; with ``--json FILE`` the raw counts too.
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

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_overhead import HTTP, TASKS  # noqa: E402

UVLOOP_HTTP = HTTP.replace(
    'print("http ok", *asyncio.run(main(connections, requests)))',
    'import uvloop\nprint("http ok", *uvloop.run(main(connections, requests)))',
)

# name -> (source, small args, large args, units of work at each size)
WORKLOADS = {
    "tasks": (TASKS, ("8000",), ("24000",), (8000 + 8000 // 3, 24000 + 24000 // 3)),
    "http": (HTTP, ("10", "150"), ("10", "450"), (1500, 4500)),
    "http-uvloop": (UVLOOP_HTTP, ("10", "150"), ("10", "450"), (1500, 4500)),
}
_COLLECTED = re.compile(r"Collected : (\d+)")


def driver_source() -> str:
    # The doctor's own defaults, each scaled: the heartbeat of asyncio's loops is
    # min(25 ms, threshold / 4), that of uvloop's 2 ms (see DoctorOptions.beat).
    return """\
import runpy, sys
mode, scale, script, *args = sys.argv[1:]
if mode == "doctor":
    import asyncdoctor.runtime as rt
    scale = float(scale)
    marked = "uvloop" not in script
    rt.install(rt.DoctorOptions(
        threshold=0.1 * scale * 4,
        heartbeat_interval=(0.025 if marked else 0.002) * scale,
        sample_interval=0.0025 * scale,
    ))
sys.argv = [script, *args]
runpy.run_path(script, run_name="__main__")
"""


def native_wall(python: str, driver: Path, script: Path, args: tuple[str, ...]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([python, str(driver), "plain", "1", str(script), *args], check=True,
                       capture_output=True)  # fmt: skip
        best = min(best, time.perf_counter() - started)
    return best


def callgrind(
    python: str, driver: Path, mode: str, scale: float, script: Path, args: tuple[str, ...]
) -> tuple[int, float]:
    started = time.perf_counter()
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         python, str(driver), mode, repr(scale), str(script), *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    found = _COLLECTED.search(result.stderr)
    if result.returncode != 0 or found is None or " ok" not in result.stdout:
        raise SystemExit(f"{mode} run failed: {result.stdout[-500:]} {result.stderr[-2000:]}")
    said = [line for line in result.stderr.splitlines() if not line.startswith(("==", "--"))]
    if mode == "doctor" and said:
        raise SystemExit(f"the doctor said something on a clean workload: {said[:20]}")
    return int(found.group(1)), wall


def measure(python: str, names: list[str], scratch: Path, reps: int) -> list[dict[str, object]]:
    driver = scratch / "driver.py"
    driver.write_text(driver_source(), encoding="utf-8")
    subprocess.run([python, "-m", "compileall", "-q", str(REPO_DIR / "src")], check=False)
    rows = []
    for name in names:
        source, small, large, units = WORKLOADS[name]
        script = scratch / f"{name.replace('-', '_')}.py"
        script.write_text(source, encoding="utf-8")
        native = native_wall(python, driver, script, small)
        runs: dict[tuple[str, int], list[int]] = {}
        scale = 1.0
        for rep in range(reps):  # interleaved: plain and doctor, small and large, in turn
            for size, args in enumerate((small, large)):
                plain, wall = callgrind(python, driver, "plain", 1.0, script, args)
                if size == 0 and rep == 0:
                    scale = max(1.0, wall / native)
                runs.setdefault(("plain", size), []).append(plain)
                doctor, _ = callgrind(python, driver, "doctor", scale, script, args)
                runs.setdefault(("doctor", size), []).append(doctor)
        counts = {key: statistics.median(values) for key, values in runs.items()}
        spread = max(
            (max(values) - min(values)) / statistics.median(values) for values in runs.values()
        )
        span = units[1] - units[0]
        slope = {
            mode: (counts[(mode, 1)] - counts[(mode, 0)]) / span for mode in ("plain", "doctor")
        }
        startup = (
            counts[("doctor", 0)]
            - counts[("plain", 0)]
            - (slope["doctor"] - slope["plain"]) * units[0]
        )
        rows.append({
            "workload": name,
            "units": units,
            "counts": {f"{mode}/{size}": values for (mode, size), values in runs.items()},
            "spread": spread,
            "slowdown": round(scale, 1),
            "plain_per_unit": round(slope["plain"]),
            "doctor_per_unit": round(slope["doctor"]),
            "overhead": slope["doctor"] / slope["plain"] - 1,
            "startup_instructions": round(startup),
        })  # fmt: skip
        row = rows[-1]
        print(
            f"  {name}: plain {row['plain_per_unit']:,} / doctor {row['doctor_per_unit']:,} "
            f"instructions per unit ({row['overhead']:+.2%}), start-up {startup / 1e6:+.1f} M, "
            f"valgrind slowdown {scale:.0f}x, runs spread {spread:.2%}",
            file=sys.stderr,
            flush=True,
        )
    return rows


# A program that imports asyncio (as any program the doctor is for does), then either ends
# at once without the interpreter's (and so the doctor's) exit work, or ends normally.
FIRST_LINE = "import asyncio, os\nprint('started ok', flush=True)\nos._exit(0)\n"
WHOLE_RUN = "import asyncio\nprint('started ok')\n"


def startup(python: str, scratch: Path) -> dict[str, object]:
    """What ``asyncdoctor run`` adds to a program that does nothing.

    Instructions of ``python -m asyncdoctor run prog.py`` minus those of ``python prog.py``:
    up to the program's first line (the program ends there with ``os._exit``), and for a
    whole run (the report at exit included); both also in milliseconds of CPU at this
    machine's rate for plain python (its instructions over its CPU time, the fastest of 15
    native runs).
    """
    counts: dict[tuple[str, str], int] = {}
    for name, source in (("first line", FIRST_LINE), ("whole run", WHOLE_RUN)):
        script = scratch / f"{name.replace(' ', '_')}.py"
        script.write_text(source, encoding="utf-8")
        for mode, argv in (
            ("plain", [python, str(script)]),
            ("doctor", [python, "-m", "asyncdoctor", "run", str(script)]),
        ):
            result = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            found = _COLLECTED.search(result.stderr)
            assert found is not None and "started ok" in result.stdout, result.stderr[-2000:]
            counts[(name, mode)] = int(found.group(1))
    best = float("inf")
    whole = scratch / "whole_run.py"
    for _ in range(15):
        pid = os.posix_spawn(python, [python, str(whole)], os.environ)
        _, _, usage = os.wait4(pid, 0)
        best = min(best, usage.ru_utime + usage.ru_stime)
    per_ms = counts[("whole run", "plain")] / (best * 1000)
    figures: dict[str, object] = {"instructions_per_ms": round(per_ms)}
    for name in ("first line", "whole run"):
        extra = counts[(name, "doctor")] - counts[(name, "plain")]
        figures[name] = {"extra_instructions": extra, "extra_ms": round(extra / per_ms, 2)}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help=f"comma list of {', '.join(WORKLOADS)}"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the raw counts here")
    parser.add_argument(
        "--reps", type=int, default=3, help="runs of each (the median counts; default 3)"
    )
    parser.add_argument(
        "--no-startup", dest="startup", action="store_false",
        help="skip the start-up measurement",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    names = [name for name in args.workloads.split(",") if name and name != "none"]
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s): {', '.join(unknown)}")
    version = subprocess.run(
        [args.python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    env_note = os.environ.get("PYTHONASYNCIODEBUG")
    if env_note:
        print("note: PYTHONASYNCIODEBUG is set; unset it for meaningful figures", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="asyncdoctor-callgrind-") as folder:
        rows = measure(args.python, names, Path(folder), args.reps)
        start = startup(args.python, Path(folder)) if args.startup else None
    print(f"Python {version}: instructions per unit of work (callgrind), slope between two sizes")
    print()
    print("| workload | unit | plain | doctor | overhead | doctor start-up | spread of runs |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    unit = {"tasks": "task", "http": "request", "http-uvloop": "request"}
    for row in rows:
        print(
            f"| {row['workload']} | {unit[str(row['workload'])]} | {row['plain_per_unit']:,} "
            f"| {row['doctor_per_unit']:,} | {float(row['overhead']):+.2%} "  # type: ignore[arg-type]
            f"| {int(row['startup_instructions']) / 1e6:+.0f} M "  # type: ignore[call-overload]
            f"| {float(row['spread']):.2%} |"  # type: ignore[arg-type]
        )
    if start is not None:
        rate = int(start["instructions_per_ms"]) / 1e6  # type: ignore[call-overload]
        print()
        print(
            f"`asyncdoctor run` of a program that only imports asyncio ({rate:.1f} M instructions per ms):"
        )
        for name in ("first line", "whole run"):
            part: dict[str, float] = start[name]  # type: ignore[assignment]
            print(
                f"- up to its {name}: " if name == "first line" else f"- {name}, report included: ",
                end="",
            )
            print(
                f"{part['extra_instructions'] / 1e6:+.1f} M instructions, {part['extra_ms']:+.1f} ms of CPU"
            )
    if args.json is not None:
        args.json.write_text(
            json.dumps({"python": version, "rows": rows, "startup": start}, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
