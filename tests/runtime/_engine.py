"""Run a small program in a subprocess under the runtime doctor and read its report.

The program is written to ``prog.py``; a driver installs the doctor with
:func:`asyncdoctor.runtime.install` (or not, for the comparisons), runs the
program with :func:`runpy.run_path` as ``__main__`` so that its line
numbers are exactly the ones in the test, and writes the JSON report to a
file (never to the program's stdout/stderr).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT = 60

_DRIVER = """\
import atexit, gc, json, runpy, sys
prog, out, options, doctor_on, preload = sys.argv[1:6]
for name in filter(None, preload.split(",")):
    __import__(name)
doctor = None
if doctor_on == "1":
    import asyncdoctor.runtime as rt
    doctor = rt.install(rt.DoctorOptions(**json.loads(options)))
def _report():
    if doctor is not None:
        gc.collect()
        with open(out, "w", encoding="utf-8") as f:
            json.dump(doctor.report().to_json(), f)
atexit.register(_report)
sys.argv = [prog]
runpy.run_path(prog, run_name="__main__")
"""


@dataclass
class Run:
    """What one run of the program produced."""

    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any]

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.report.get("findings", []))

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["kind"] == kind]

    def lines(self, kind: str) -> list[int]:
        return sorted(f["location"]["line"] for f in self.of_kind(kind))


def line_of(source: str, marker: str) -> int:
    """The 1-based line of the (dedented) program that contains ``marker``."""
    for number, line in enumerate(textwrap.dedent(source).splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker!r} not in the program")


def run_program(
    folder: Path,
    source: str,
    *,
    doctor: bool = True,
    options: dict[str, Any] | None = None,
    preload: tuple[str, ...] = (),
    python_args: tuple[str, ...] = (),
) -> Run:
    """Run ``source`` as ``__main__`` in a fresh interpreter; see the module docstring."""
    folder.mkdir(parents=True, exist_ok=True)
    prog = folder / "prog.py"
    prog.write_text(textwrap.dedent(source), encoding="utf-8")
    driver = folder / "driver.py"
    driver.write_text(_DRIVER, encoding="utf-8")
    out = folder / "report.json"
    if out.exists():
        out.unlink()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONWARNINGS"))
    }
    env["PYTHONIOENCODING"] = "utf-8"
    completed = subprocess.run(
        [
            sys.executable,
            *python_args,
            str(driver),
            str(prog),
            str(out),
            json.dumps(options or {}),
            "1" if doctor else "0",
            ",".join(preload),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        check=False,
    )
    report: dict[str, Any] = {}
    if out.exists():
        report = json.loads(out.read_text(encoding="utf-8"))
    return Run(completed.returncode, completed.stdout, completed.stderr, report)


def describe(run: Run) -> str:
    """Everything useful for an assertion message."""
    return (
        f"exit {run.returncode}\n--- findings\n"
        + json.dumps(run.findings, indent=1)[:6000]
        + "\n--- metrics\n"
        + json.dumps(run.report.get("metrics"))[:1000]
        + f"\n--- stdout\n{run.stdout[-2000:]}\n--- stderr\n{run.stderr[-4000:]}"
    )
