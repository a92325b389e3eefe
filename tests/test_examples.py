"""The bundled examples run, and the runtime doctor finds in each what it can see at run time.

Every ``examples/*/problem.py`` and ``fixed.py`` runs to completion with ``python`` (their
client libraries come with the ``examples`` extra, which the ``test`` extra includes), and
under ``asyncdoctor run`` it prints the same output (but for the times it prints); the doctor finds the problems that
show at run time (a blocking call, a lost coroutine, an exception nobody retrieved, a
session left open) in ``problem.py``, in the example's own files, and nothing in
``fixed.py``.  The other problems (sequential awaits, unbounded fan-outs, busy waits...)
are for ``asyncdoctor check``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RUNTIME_KINDS = {
    "blocking_call": {"blocking-call"},
    "blocking_through_helpers": {"blocking-call"},
    "resource_leak": {"unclosed-resource"},
    "task_reference": {"unretrieved-exception"},
    "unawaited_coroutine": {"never-awaited"},
}
PROGRAMS = sorted(
    (folder.name, name)
    for folder in EXAMPLES.iterdir()
    if folder.is_dir()
    for name in ("problem", "fixed")
    if (folder / f"{name}.py").is_file()
)


_ELAPSED = re.compile(r"\b\d+\.\d+s\b|\b\d+(?= wake-ups)")


def _same_output(text: str) -> str:
    """The output with the times the examples print of themselves (``in 0.4s``, and how
    often a poll woke up) left out: they vary from run to run, doctor or not."""
    return _ELAPSED.sub("<elapsed>", text)


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_every_example_folder_is_listed() -> None:
    assert len(PROGRAMS) >= 20
    assert set(RUNTIME_KINDS) <= {folder for folder, _ in PROGRAMS}


@pytest.mark.parametrize(("example", "name"), PROGRAMS, ids=[f"{e}-{n}" for e, n in PROGRAMS])
def test_example_runs_and_the_doctor_sees_its_runtime_problems(
    example: str, name: str, tmp_path: Path
) -> None:
    folder = EXAMPLES / example
    plain = _run(folder, f"{name}.py")
    assert plain.returncode == 0, plain.stderr
    report = tmp_path / "report.json"
    # Where no blocking step is expected, a step must run a second to count: some examples
    # make an SSL context (httpx clients: 35 ms here, several times that on a loaded
    # machine), a real blocking step but not the example's point.
    expected = RUNTIME_KINDS.get(example, set()) if name == "problem" else set()
    threshold = ("--threshold", "0.1" if "blocking-call" in expected else "1.0")
    doctored = _run(folder, "-m", "asyncdoctor", "run", "-q", *threshold, "--report", str(report),
                    f"{name}.py")
    assert doctored.returncode == 0, doctored.stderr
    assert _same_output(doctored.stdout) == _same_output(plain.stdout)
    findings = json.loads(report.read_text())["findings"]
    kinds = {finding["kind"] for finding in findings}
    if name == "fixed":
        assert findings == [], findings
    else:
        assert kinds == RUNTIME_KINDS.get(example, set()), findings
    for finding in findings:
        assert Path(finding["location"]["path"]).resolve().is_relative_to(folder), finding
