"""We hold ourselves to what we ask of others: typed, linted, and clean under our own checker."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_mypy_strict_on_src() -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict", "src/asyncdoctor")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    folders = [d for d in ("src", "tests", "bench", "scripts") if (ROOT / d).is_dir()]
    result = _run(ruff, "check", *folders)
    assert result.returncode == 0, result.stdout + result.stderr


def test_asyncdoctor_clean_on_its_own_source() -> None:
    result = _run(sys.executable, "-m", "asyncdoctor", "check", "--no-cache", "src")
    assert result.returncode == 0, result.stdout + result.stderr
