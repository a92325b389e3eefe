"""What does the runtime doctor's inventory cost?  Object creation and imports, with and without it.

The inventory (``asyncdoctor/runtime/_inventory.py``) does work at two moments
only, and this script times both:

* **creating a watched object**: ``asyncio.Queue()``, ``asyncio.PriorityQueue()``,
  an aiohttp ``ClientSession`` (with its ``TCPConnector``, inside a running loop),
  an ``httpx.AsyncClient``.  Timed with ``timeit`` in one process, with two
  doctors installed in turns (``--rounds`` times each), alike but for the
  inventory, left out of one (``Inventory.install`` made a no-op): what
  differs is the inventory alone, not the loop hooks a session's
  ``run_until_complete`` pays for under any doctor.  Each figure
  is the fastest round (other work on the machine only ever adds time), as
  CPU time of the thread per object (time spent preempted is not counted).
* **importing a watched library**: ``import aiohttp`` (and ``httpx``) in a
  fresh interpreter with the doctor installed, with its import hook in place
  and taken out (``Inventory.uninstall()`` before the import: the hook's
  look-ups and the patching of the classes are then all that differs), in CPU
  time of the process.  Runs alternate, ``--imports`` of each; reported: the
  median and the fastest.

``--instructions`` also counts, with valgrind's callgrind, the instructions
one queue costs (made and dropped at once, the inventory's whole work on it:
the wrapper, the creation site, the table entry and its later clean-up): the
slope between 2,000 and 12,000 queues, so that start-up drops out.  Counts
do not depend on how loaded the machine is, as times do.

Printed: each figure with and without the inventory, and their ratio.

    python bench/inventory_cost.py
    python bench/inventory_cost.py --rounds 9 --imports 30 --json inventory.json
    python bench/inventory_cost.py --instructions
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

import asyncdoctor.runtime as rt


def _objects() -> dict[str, tuple[Callable[[], Any], int]]:
    """What is created, and how many per timing."""
    import aiohttp
    import httpx

    def session() -> None:
        async def make() -> None:
            session = aiohttp.ClientSession()
            await session.close()

        loop.run_until_complete(make())

    loop = asyncio.new_event_loop()
    return {
        "asyncio.Queue()": (asyncio.Queue, 20_000),
        "asyncio.PriorityQueue(10)": (lambda: asyncio.PriorityQueue(10), 20_000),
        "aiohttp.ClientSession() + close": (session, 300),
        "httpx.AsyncClient()": (httpx.AsyncClient, 50),
    }


def best_modes() -> tuple[str, str]:
    return ("without", "with")


def creation(rounds: int) -> dict[str, dict[str, float]]:
    objects = _objects()
    best: dict[str, dict[str, float]] = {name: {"without": float("inf"), "with": float("inf")}
                                         for name in objects}
    doctors = {mode: rt.Doctor(rt.DoctorOptions(detectors=frozenset())) for mode in best_modes()}
    doctors["without"].inventory.install = lambda: None  # type: ignore[method-assign]
    for _ in range(rounds):
        for mode, doctor in doctors.items():
            doctor.install()
            try:
                for name, (make, number) in objects.items():
                    seconds = min(timeit.repeat(make, number=number, repeat=3,
                                                timer=time.thread_time)) / number
                    best[name][mode] = min(best[name][mode], seconds)
            finally:
                doctor.uninstall()
    return best


IMPORT = """
import sys, time
import asyncdoctor.runtime as rt
doctor = rt.install(rt.DoctorOptions(detectors=frozenset()))
if sys.argv[1] == "without":
    doctor.inventory.uninstall()
begin = time.process_time()
import {module}
print(time.process_time() - begin)
"""


def imports(module: str, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"without": [], "with": []}
    for index in range(runs):
        order = ("without", "with") if index % 2 == 0 else ("with", "without")
        for mode in order:
            done = subprocess.run([sys.executable, "-c", IMPORT.format(module=module), mode],
                                  capture_output=True, text=True, timeout=120, check=True)
            times[mode].append(float(done.stdout.strip()))
    return times


COUNTED = """
import sys, asyncio
import asyncdoctor.runtime as rt
doctor = rt.Doctor(rt.DoctorOptions(detectors=frozenset()))
if sys.argv[1] == "without":
    doctor.inventory.install = lambda: None
doctor.install()
make = {"queue": asyncio.Queue, "priority": lambda: asyncio.PriorityQueue(10)}[sys.argv[3]]
for _ in range(int(sys.argv[2])):
    make()
"""
SIZES = (2_000, 12_000)


def instructions(what: str) -> dict[str, float]:
    """Instructions per object made and dropped, without and with the inventory."""
    per: dict[str, float] = {}
    for mode in ("without", "with"):
        counts = []
        for size in SIZES:
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                 "-c", COUNTED, mode, str(size), what],
                capture_output=True, text=True, timeout=1200, check=True)
            found = re.search(r"Collected : (\d+)", done.stderr)
            assert found is not None, done.stderr
            counts.append(int(found[1]))
        per[mode] = (counts[1] - counts[0]) / (SIZES[1] - SIZES[0])
    return per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per mode (default 5)")
    parser.add_argument("--imports", type=int, default=20, help="fresh interpreters per mode (default 20)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions per queue with valgrind (a few minutes)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    out: dict[str, Any] = {"python": sys.version.split()[0], "creation": {}, "imports": {}}
    print(f"Python {out['python']}; creating one object (fastest of {args.rounds} rounds):")
    for name, figures in creation(args.rounds).items():
        before, after = figures["without"], figures["with"]
        out["creation"][name] = {"without_us": before * 1e6, "with_us": after * 1e6,
                                 "ratio": after / before}
        print(f"  {name:34} {before * 1e6:9.2f} us -> {after * 1e6:9.2f} us"
              f"  (+{(after - before) * 1e6:.2f} us, x{after / before:.3f})")
    print(f"Importing a watched library in a fresh interpreter ({args.imports} runs each):")
    for module in ("aiohttp", "httpx"):
        times = imports(module, args.imports)
        median = {mode: statistics.median(values) for mode, values in times.items()}
        fastest = {mode: min(values) for mode, values in times.items()}
        out["imports"][module] = {"median_ms": {k: v * 1e3 for k, v in median.items()},
                                  "fastest_ms": {k: v * 1e3 for k, v in fastest.items()}}
        print(f"  import {module:8} median {median['without'] * 1e3:7.2f} ms -> "
              f"{median['with'] * 1e3:7.2f} ms (x{median['with'] / median['without']:.3f}); "
              f"fastest {fastest['without'] * 1e3:7.2f} ms -> {fastest['with'] * 1e3:7.2f} ms "
              f"(x{fastest['with'] / fastest['without']:.3f})")
    if args.instructions:
        if shutil.which("valgrind") is None:
            print("Instructions: valgrind is not installed, not counted")
        else:
            print("Instructions per object made and dropped (callgrind):")
            out["instructions"] = {}
            for what in ("queue", "priority"):
                per = instructions(what)
                out["instructions"][what] = per
                print(f"  {what:9} {per['without']:9.0f} -> {per['with']:9.0f}"
                      f"  (+{per['with'] - per['without']:.0f}, x{per['with'] / per['without']:.3f})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
