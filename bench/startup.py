"""How long ``asyncdoctor`` takes to start, against ``python -c pass`` as the peer.

pre-commit and editors run ``asyncdoctor check`` on every save, on one file or
a few: most of that time is start-up.  This script times, in the same run:

* ``python -c pass``: the interpreter alone, the floor; and a one-option
  argparse ``--help``, what any command line written with argparse pays;
* ``asyncdoctor --version`` and ``asyncdoctor --help``;
* ``asyncdoctor check FILE``: one file, served from the cache (warmed first),
  in a scratch project with a ``pyproject.toml``, as pre-commit runs it;
* ``asyncdoctor check --no-cache FILE``: the same file analysed.

Each round runs every command once, in a shuffled order, after untimed
warm-up rounds; rounds are repeated (``--reps``) so that the machine's drift
favours none of them, hyperfine-style.  Reported: the median wall time, the
spread (10th-90th percentile and min-max), and the median minus the peer's.

``--importtime`` also prints, for each command, the slowest imports that
``python -X importtime`` reports (cumulative microseconds).

    python bench/startup.py                 # 30 rounds
    python bench/startup.py --reps 60 --json startup.json
    python bench/startup.py --importtime
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = """\
import asyncio
import time


async def handler(request):
    time.sleep(0.1)
    await asyncio.sleep(0)
    return request
"""


ARGPARSE_HELP = (
    "import argparse; p = argparse.ArgumentParser(prog='x'); p.add_argument('--y'); p.print_help()"
)


def asyncdoctor_command() -> list[str]:
    """The console script installed next to this Python, else ``python -m asyncdoctor``."""
    script = Path(sys.executable).with_name("asyncdoctor")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("asyncdoctor")
    return [found] if found else [sys.executable, "-m", "asyncdoctor"]


def commands(project: Path) -> dict[str, list[str]]:
    base = asyncdoctor_command()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        # what any argparse --help costs (on 3.14+ its colours import dataclasses and inspect)
        "python: an argparse --help": [sys.executable, "-c", ARGPARSE_HELP],
        "asyncdoctor --version": [*base, "--version"],
        "asyncdoctor --help": [*base, "--help"],
        "asyncdoctor check app.py (cached)": [*base, "check", "app.py"],
        "asyncdoctor check --no-cache app.py": [*base, "check", "--no-cache", "app.py"],
    }


def scratch_project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="asyncdoctor-startup-"))
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (root / "app.py").write_text(SOURCE, encoding="utf-8")
    return root


def environment(bytecode: Path | None) -> dict[str, str]:
    """Where the commands run: with compiled bytecode cached in ``bytecode``, as users have it.

    (pip compiles what it installs; a ``PYTHONDONTWRITEBYTECODE`` environment, as in some
    CI and sandboxes, would make every run compile asyncdoctor's modules again.)  The cache
    goes to a scratch directory (``PYTHONPYCACHEPREFIX``), never into the source tree.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPROFILEIMPORTTIME",)}
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


ENV: dict[str, str] = dict(os.environ)


def run_once(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stderr.decode()}")
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(reps: int, warmup: int, seed: int) -> dict[str, list[float]]:
    project = scratch_project()
    try:
        table = commands(project)
        times: dict[str, list[float]] = {name: [] for name in table}
        rng = random.Random(seed)
        for round_number in range(warmup + reps):
            order = list(table)
            rng.shuffle(order)
            for name in order:
                elapsed = run_once(table[name], project)
                if round_number >= warmup:
                    times[name].append(elapsed)
        return times
    finally:
        shutil.rmtree(project, ignore_errors=True)


def slowest_imports(command: list[str], cwd: Path, top: int) -> list[tuple[int, str]]:
    env = {**ENV, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, _self, cumulative, name = (part.strip() for part in line.split("|", 1)[0].split(":")
                                      + line.split("|")[1:])
        rows.append((int(cumulative), name))
    return sorted(rows, reverse=True)[:top]


def report(times: dict[str, list[float]]) -> str:
    peer = statistics.median(times["python -c pass"])
    lines = [
        f"{'command':40} {'median':>8} {'p10-p90':>15} {'min-max':>15} {'-peer':>8}",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(
            f"{name:40} {median * 1000:6.1f}ms "
            f"{percentile(values, 0.1) * 1000:6.1f}-{percentile(values, 0.9) * 1000:<6.1f}ms "
            f"{min(values) * 1000:6.1f}-{max(values) * 1000:<6.1f}ms "
            f"{(median - peer) * 1000:+6.1f}ms"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=30, help="timed rounds (default: 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first (default: 3)")
    parser.add_argument("--seed", type=int, default=0, help="of the shuffled order")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the raw times here")
    parser.add_argument("--importtime", action="store_true", help="show the slowest imports")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true",
        help="compile every module on every run (PYTHONDONTWRITEBYTECODE=1)",
    )  # fmt: skip
    args = parser.parse_args()

    bytecode = None if args.no_bytecode_cache else Path(tempfile.mkdtemp(prefix="pycache-"))
    ENV.clear()
    ENV.update(environment(bytecode))
    try:
        times = measure(args.reps, args.warmup, args.seed)
    finally:
        if bytecode is not None and not args.importtime:
            shutil.rmtree(bytecode, ignore_errors=True)
    cached = "bytecode cached" if bytecode is not None else "no bytecode cache"
    print(f"{sys.executable} ({sys.version.split()[0]}), {args.reps} interleaved rounds, "
          f"{cached}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(report(times))
    if args.json is not None:
        args.json.write_text(json.dumps({"python": sys.version, "times": times}, indent=2) + "\n",
                             encoding="utf-8")
    if args.importtime:
        project = scratch_project()
        try:
            for name, command in commands(project).items():
                run_once(command, project)  # the cache
                print(f"\n{name}: slowest imports (cumulative)")
                for cumulative, module in slowest_imports(command, project, top=8):
                    print(f"  {cumulative / 1000:7.1f}ms  {module}")
        finally:
            shutil.rmtree(project, ignore_errors=True)
            if bytecode is not None:
                shutil.rmtree(bytecode, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
