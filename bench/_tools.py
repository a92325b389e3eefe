"""Shared helpers for the benchmarks: the tools' venv, their command lines, timing.

The comparison tools live in their own venv, ``bench/_venv`` (gitignored), so that
nothing in the project's dev venv changes.  :func:`ensure_tools` creates it with the
running interpreter (``python -m venv``) and installs the pinned versions below with
pip; a marker file makes later calls free.

How each tool is run (always as a subprocess, with a scratch working directory so
that no ``setup.cfg``/``tox.ini``/``pyproject.toml`` of the caller is picked up):

* ruff: ``ruff check --no-cache --isolated --select ASYNC,RUF006 --exit-zero``.
  Ruff is multithreaded and uses both cores by itself.
* flake8-async: ``flake8 --isolated --select ASYNC --asyncio -j 2 --exit-zero``.
  ``--select ASYNC`` selects *every* flake8-async rule: the plugin only turns its
  opinionated ASYNC9xx rules off through flake8's *default* ignore list, which an
  explicit ``--select`` overrides (ASYNC910/911 show up in the output).
  ``--asyncio`` makes asyncio the default library, the one the checked code uses.
  ``-j 2`` runs two worker processes, one per core.  flake8 still runs its
  built-in pyflakes/pycodestyle checks and drops their results; they cost little
  (aiohttp's package, one process: 30.3 s through flake8, 29.3 s with the
  standalone ``flake8-async`` command): the time is flake8-async's own, which
  parses every file with libcst as well as ast.  Files that would crash it are
  left out (:func:`flake8_crashers`).
* asyncdoctor: ``<dev venv>/bin/python -m asyncdoctor check ...`` (override with
  ``--asyncdoctor "CMD ..."`` in the scripts).
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
VENV_DIR = BENCH_DIR / "_venv"
VENV_MARKER = VENV_DIR / ".bench-tools"

# Pinned so that figures from different days are comparable.
TOOL_PINS: tuple[str, ...] = ("ruff==0.17.6", "flake8==7.5.0", "flake8-async==26.8.1")

JOBS = 2  # the machine has two cores
RUFF_SELECT = "ASYNC,RUF006"
RUFF_ARGS: tuple[str, ...] = (
    "check",
    "--no-cache",
    "--isolated",
    "--select",
    RUFF_SELECT,
    "--exit-zero",
)
FLAKE8_ARGS: tuple[str, ...] = ("--isolated", "--select", "ASYNC", "--asyncio", "--exit-zero")

CRASH_SCAN_CACHE = VENV_DIR / "flake8-crashers.json"

DEFAULT_ASYNCDOCTOR: tuple[str, ...] = (
    str(REPO_DIR / ".venv" / "bin" / "python"),
    "-m",
    "asyncdoctor",
)
CACHE_DIR_NAME = ".asyncdoctor_cache"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------- the venv


@dataclass(frozen=True)
class Tools:
    python: Path
    ruff: Path
    flake8: Path


def _venv_bin(name: str) -> Path:
    return VENV_DIR / "bin" / name


def ensure_tools(*, quiet: bool = False) -> Tools:
    """Create ``bench/_venv`` with the pinned ruff, flake8 and flake8-async if needed."""
    tools = Tools(_venv_bin("python"), _venv_bin("ruff"), _venv_bin("flake8"))
    wanted = "\n".join(TOOL_PINS) + "\n"
    present = all(p.exists() for p in (tools.python, tools.ruff, tools.flake8))
    if present and VENV_MARKER.exists() and VENV_MARKER.read_text() == wanted:
        return tools
    if not tools.python.exists():
        if not quiet:
            log(f"creating {VENV_DIR}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=True)
    if not quiet:
        log(f"installing {' '.join(TOOL_PINS)} into {VENV_DIR}")
    subprocess.run(
        [
            str(tools.python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            *TOOL_PINS,
        ],
        check=True,
    )
    VENV_MARKER.write_text(wanted)
    return tools


def tool_versions(tools: Tools) -> dict[str, str]:
    """Versions as the tools report them (ruff, flake8 and its plugins)."""
    out: dict[str, str] = {}
    for key, cmd in (
        ("ruff", [str(tools.ruff), "--version"]),
        ("flake8", [str(tools.flake8), "--version"]),
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        out[key] = " ".join(proc.stdout.split())
    return out


# ------------------------------------------------------------------ command lines


def ruff_cmd(tools: Tools, paths: Sequence[Path], *, output_format: str = "concise") -> list[str]:
    return [str(tools.ruff), *RUFF_ARGS, "--output-format", output_format, *map(str, paths)]


def flake8_cmd(tools: Tools, paths: Sequence[Path], *, jobs: int = JOBS) -> list[str]:
    return [str(tools.flake8), *FLAKE8_ARGS, "-j", str(jobs), *map(str, paths)]


# Run with the venv's Python: for each file that Python parses, does libcst (which
# flake8-async uses on every file) parse it and compute its positions?
_CRASH_SCAN = r"""
import ast, json, sys
from multiprocessing import Pool


def check(path):
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    with open(path, "rb") as f:
        source = f.read()
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return path, None  # flake8 reports E999 and skips its plugins: no crash
    try:
        module = libcst.parse_module(source)
        MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    except Exception as exc:
        first = (str(exc).splitlines() or [""])[0][:160]
        return path, f"{type(exc).__name__}: {first}".rstrip(": ")
    return path, None


if __name__ == "__main__":
    paths = json.load(sys.stdin)
    with Pool(int(sys.argv[1])) as pool:
        print(json.dumps(dict(pool.imap_unordered(check, paths, chunksize=4))))
"""


def flake8_crashers(tools: Tools, files: Sequence[Path]) -> dict[Path, str]:
    """Files among ``files`` on which flake8-async would crash, with the reason.

    flake8-async parses every file with libcst.  Where libcst fails on valid
    Python (``ParserSyntaxError`` on syntax it does not know, e.g. in the
    stdlib's test_grammar.py; ``RecursionError`` on ~2,200 implicitly
    concatenated strings in pydoc_data/topics.py), the plugin raises and flake8
    aborts the *whole* run: exit 1, no findings.  So those files are found
    beforehand, by doing what flake8-async does first (parse, then positions),
    and left out of flake8-async's file list.  Results are cached per file (path,
    size, mtime) in ``bench/_venv/flake8-crashers.json``: a tree is scanned once.
    """
    try:
        cache: dict[str, list[Any]] = json.loads(CRASH_SCAN_CACHE.read_text())
    except (OSError, ValueError):
        cache = {}

    def key(path: Path) -> list[Any]:
        st = path.stat()
        return [st.st_size, st.st_mtime_ns]

    todo = [str(f) for f in files if cache.get(str(f), [None, None])[:2] != key(f)]
    if todo:
        log(f"looking for files that crash flake8-async: {len(todo)} files (once; cached)")
        script = VENV_DIR / "flake8_crash_scan.py"
        script.write_text(_CRASH_SCAN)
        proc = subprocess.run(
            [str(tools.python), str(script), str(JOBS)],
            input=json.dumps(todo), capture_output=True, text=True, check=True,
        )  # fmt: skip
        for path, error in json.loads(proc.stdout).items():
            cache[path] = [*key(Path(path)), error]
        CRASH_SCAN_CACHE.write_text(json.dumps(cache))
    return {f: cache[str(f)][2] for f in files if cache[str(f)][2]}


def asyncdoctor_base(override: str | None) -> list[str]:
    return shlex.split(override) if override else list(DEFAULT_ASYNCDOCTOR)


def asyncdoctor_cmd(
    base: Sequence[str],
    paths: Sequence[Path],
    *,
    no_cache: bool,
    fmt: str = "json",
    extra: Sequence[str] = (),
) -> list[str]:
    cmd = [*base, "check", "--format", fmt, *extra]
    if no_cache:
        cmd.append("--no-cache")
    return [*cmd, *map(str, paths)]


def asyncdoctor_help(base: Sequence[str]) -> str | None:
    """``asyncdoctor check --help`` text, or None when the checker can't run yet."""
    try:
        proc = subprocess.run(
            [*base, "check", "--help"], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def asyncdoctor_version(base: Sequence[str]) -> str:
    """``asyncdoctor --version`` without the program's name, or "unknown"."""
    proc = subprocess.run([*base, "--version"], capture_output=True, text=True, check=False)
    text = proc.stdout.strip()
    if proc.returncode != 0 or not text:
        return "unknown"
    return text.splitlines()[0].removeprefix("asyncdoctor").strip()


_CHECKED = re.compile(r"\((\d[\d,]*) files? checked\)")


def asyncdoctor_files_checked(stderr: str) -> int | None:
    """The file count from asyncdoctor's closing line ("... (N files checked)")."""
    m = _CHECKED.search(stderr)
    return int(m.group(1).replace(",", "")) if m else None


_UNREADABLE = re.compile(r"(\d[\d,]*) files? could not be checked")


def asyncdoctor_files_unreadable(stderr: str) -> int | None:
    """How many files asyncdoctor says it could not check (bad syntax, undecodable)."""
    m = _UNREADABLE.search(stderr)
    return int(m.group(1).replace(",", "")) if m else None


def find_project_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding a pyproject.toml."""
    path = path.resolve()
    for folder in (path, *path.parents) if path.is_dir() else path.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return None


# ------------------------------------------------------------------------- running


@dataclass
class Run:
    cmd: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system time of the process and its reaped children
    #: Peak resident memory of the command or of any of its worker processes, in MB
    #: (None where GNU time, /usr/bin/time, is not installed: unknown, not 0).
    peak_rss_mb: float | None = None


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_timed(cmd: Sequence[str], *, cwd: Path, ok_codes: Sequence[int] = (0, 1)) -> Run:
    """Run ``cmd`` once and time it.

    ``seconds`` is wall-clock time, interpreter start-up included.  ``cpu_seconds``
    is the CPU time the command used, worker processes and threads included (for
    workers, as long as the command waits for them, which ruff, flake8 and
    asyncdoctor do).  On a shared machine CPU time moves much less with the load
    than wall time, so it is the steadier basis for comparing tools; wall time is
    what a user waits.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # GNU time reports the largest resident set of the command and its reaped children
    # (wait4's rusage), in KB: a process pool's biggest worker counts.
    gnu_time = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        wrapped = [gnu_time, "-f", "%M", "-o", rss_file.name, *cmd] if gnu_time else list(cmd)
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, env=env, check=False)
        seconds = time.perf_counter() - t0
        cpu = _children_cpu() - cpu0
        peak: float | None = None
        if gnu_time:
            try:
                peak = int(rss_file.read().strip().splitlines()[-1]) / 1024
            except (ValueError, IndexError):
                peak = None
    run = Run(list(cmd), seconds, proc.returncode, proc.stdout, proc.stderr, cpu, peak)
    if proc.returncode not in ok_codes:
        # flake8 tells of a failed plugin on stdout, tracebacks go to stderr.
        tail = "\n".join((proc.stderr.strip() or proc.stdout.strip()).splitlines()[-15:])
        raise ToolError(f"exit {proc.returncode}: {shlex.join(cmd)[:300]}\n{tail}")
    return run


class ToolError(RuntimeError):
    pass


def scratch_dir(prefix: str) -> Path:
    """A fresh empty folder to run tools in (caller removes it)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


@dataclass
class Stats:
    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(statistics.median(values), min(values), max(values), len(values))


def machine_summary() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()}, Python {platform.python_version()}"
    )
