"""How fast is ``asyncdoctor check``, next to ruff and flake8-async, on one big tree?

Measures, on one source tree (default: Django's package from the corpus,
``bench/_corpus/django/django``; ``--tree stdlib`` or any path also work):

  (a) asyncdoctor cold: ``asyncdoctor check --format json --no-cache TREE``
  (b) asyncdoctor cold, writing its cache (the cache folder is deleted first)
  (c) asyncdoctor re-run on that cache (nothing changed since (b))
  (s) asyncdoctor start-up: the same on one empty file, the floor under (c)
  (d) ruff: ``ruff check --no-cache --isolated --select ASYNC,RUF006 --exit-zero``
  (e) flake8-async: ``flake8 --isolated --select ASYNC --asyncio -j 2 --exit-zero``
      (every flake8-async rule; see ``bench/_tools.py``)

Every run is a subprocess in a scratch working directory (so no tool reads this
repo's configuration).  Two figures per run: wall-clock seconds, start-up
included (what a user waits), and CPU seconds of the process and its workers
(``getrusage``), which move far less than wall time when the two shared cores
are busy with other work; the tables give both, and ratios on both bases.
Runs are interleaved (s, a, d, b, c, e, s, a, d, b, c, ...) after one untimed
warm-up of (a) and (d), so that the machine's noise hits all tools alike; each
figure is the median of its runs, and ratios come from the same invocation.

asyncdoctor's cache: ``--cache-dir SCRATCH/cache-dir`` is passed when
``asyncdoctor check --help`` offers it; ``.asyncdoctor_cache`` in the scratch folder
and in the tree's project root (nearest folder with a pyproject.toml) are deleted
before each (b) too, whichever the checker uses.  The script notes it when no
cache folder appeared, when the finding counts of (a), (b) and (c) differ, when
asyncdoctor checked another number of files than counted here, and when
``src/asyncdoctor`` changed during the run (a changed checker invalidates the
cache: figures unreliable).  asyncdoctor exits 2 when some files can't be
parsed (the stdlib has a few on purpose); that is accepted if it printed JSON.

Lines are the lines of the tree's ``.py`` files (``bench/corpus.py``).
flake8-async is slow (under a thousand lines per CPU second), so it runs once
(``--flake8-reps``), can be skipped (``--skip-flake8``), or run on an evenly spread
subset (``--flake8-max-lines N``: every k-th file); its lines/s are then the
subset's, and the ratio to asyncdoctor compares lines/s.  Files on which
flake8-async would crash (and with it the whole flake8 run) are found first and
left out of its files (see ``_tools.flake8_crashers``; the stdlib has one).

Targets checked (wall clock): asyncdoctor cold >= 100,000 lines/s on 2 cores;
cached re-run >= 10x faster than cold (``--no-cache``); asyncdoctor cold >= 50x
faster than flake8-async.  asyncdoctor vs ruff is printed for the record.

Run it (the default run takes about 2-3 minutes on a quiet machine, mostly
flake8-async on Django)::

    python bench/check_speed.py
    python bench/check_speed.py --tree stdlib --reps 3 --flake8-max-lines 150000
    python bench/check_speed.py --tree path/to/src --reps 9 --json speed.json
    python bench/check_speed.py --skip-flake8            # seconds, not minutes
    python bench/check_speed.py --skip-asyncdoctor       # only ruff vs flake8-async

The printed Markdown can be pasted into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import _tools
import corpus
from _tools import Run, Stats, Tools

TARGET_COLD_LPS = 100_000
TARGET_CACHE_SPEEDUP = 10.0
TARGET_VS_FLAKE8 = 50.0

COLD, COLD_WRITE, CACHED, RUFF, FLAKE8 = "cold", "cold_write", "cached", "ruff", "flake8_async"
STARTUP = "startup"
AD_KEYS = (COLD, COLD_WRITE, CACHED, STARTUP)
LABELS = {
    STARTUP: "asyncdoctor start-up: one empty file (`--no-cache`)",
    COLD: "asyncdoctor, cold (`--no-cache`)",
    COLD_WRITE: "asyncdoctor, cold, writing the cache",
    CACHED: "asyncdoctor, cached re-run",
    RUFF: f"ruff (`--select {_tools.RUFF_SELECT}`)",
    FLAKE8: f"flake8-async (`flake8 --select ASYNC --asyncio -j {_tools.JOBS}`)",
}


@dataclass
class Result:
    key: str
    files: int
    lines: int
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)

    @property
    def stats(self) -> Stats:
        return Stats.of(self.seconds)

    @property
    def cpu_stats(self) -> Stats:
        return Stats.of(self.cpu_seconds)

    @property
    def lps(self) -> float | None:
        """Lines per wall-clock second (median run)."""
        return self.lines / self.stats.median if self.lines else None

    @property
    def cpu_lps(self) -> float | None:
        """Lines per CPU second (median run), all cores' work added up."""
        return self.lines / self.cpu_stats.median if self.lines and self.cpu_stats.median else None


# ----------------------------------------------------------------- findings counts


def count_asyncdoctor(run: Run) -> int:
    data = json.loads(run.stdout or "[]")
    if not isinstance(data, list):
        raise _tools.ToolError("asyncdoctor --format json did not print a list")
    return sum(1 for d in data if d.get("code"))  # files that could not be checked have none


def count_ruff(run: Run) -> int:
    data = json.loads(run.stdout or "[]")
    return len(data)


def count_flake8(run: Run) -> int:
    return sum(1 for line in run.stdout.splitlines() if line.strip())


# ---------------------------------------------------------------------- the tree


def resolve_tree(spec: str) -> tuple[Path, str]:
    """A corpus name (fetched if needed) or a path; returns (path, description)."""
    if spec in corpus.ALL_NAMES:
        corpus.ensure(spec)
        path = corpus.package_dir(spec)
        version = (
            corpus.PROJECTS[spec].version if spec in corpus.PROJECTS else sys.version.split()[0]
        )
        return path, f"{spec} {version} (`{path.relative_to(corpus.CORPUS_DIR)}`)"
    path = Path(spec).expanduser().resolve()
    if not path.exists():
        raise SystemExit(f"no such tree: {spec} (nor a corpus name: {', '.join(corpus.ALL_NAMES)})")
    return path, f"`{path}`"


def spread_subset(files: list[Path], max_lines: int) -> list[Path]:
    """Every k-th file, k chosen so that the subset has about ``max_lines`` lines."""
    sizes = [corpus.count_lines(f)[1] for f in files]
    total = sum(sizes)
    if max_lines <= 0 or total <= max_lines:
        return files
    step = max(1, math.ceil(total / max_lines))
    return files[::step]


def ruff_file_count(tools: Tools, tree: Path, cwd: Path) -> int:
    proc = subprocess.run(
        [str(tools.ruff), "check", "--isolated", "--show-files", str(tree)],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return sum(1 for line in proc.stdout.splitlines() if line.strip().endswith((".py", ".pyi")))


# ------------------------------------------------------------------------ running


def src_fingerprint() -> tuple[int, int, int]:
    """(files, total size, latest mtime in ns) of src/asyncdoctor, to notice edits mid-run."""
    files = size = latest = 0
    for path in (_tools.REPO_DIR / "src" / "asyncdoctor").rglob("*.py"):
        st = path.stat()
        files, size, latest = files + 1, size + st.st_size, max(latest, st.st_mtime_ns)
    return files, size, latest


def git_head() -> str:
    proc = subprocess.run(
        ["git", "-C", str(_tools.REPO_DIR), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    head = proc.stdout.strip() if proc.returncode == 0 else "no commit"
    dirty = subprocess.run(
        ["git", "-C", str(_tools.REPO_DIR), "status", "--porcelain", "--", "src"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return head + (" + uncommitted changes in src/" if dirty else "")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    tree, tree_desc = resolve_tree(args.tree)
    files = list(corpus.iter_py_files(tree))
    n_files, n_lines = corpus.count_lines(tree)
    tools = _tools.ensure_tools()
    versions = _tools.tool_versions(tools)

    base = _tools.asyncdoctor_base(args.asyncdoctor)
    help_text = None if args.skip_asyncdoctor else _tools.asyncdoctor_help(base)
    run_ad = help_text is not None
    if not args.skip_asyncdoctor and not run_ad:
        _tools.log(
            f"asyncdoctor is not runnable yet ({' '.join(base)} check --help failed): skipping it"
        )
    run_flake8 = not args.skip_flake8 and args.flake8_reps > 0

    src_before = src_fingerprint()
    scratch = _tools.scratch_dir("asyncdoctor-bench-")
    try:
        notes: list[str] = []
        seen = ruff_file_count(tools, tree, scratch)
        if seen != n_files:
            notes.append(f"ruff sees {seen} Python files, the line counter {n_files}")

        # Where asyncdoctor's cache may land, to delete it before each (b).
        cache_extra: list[str] = []
        cache_dirs = [scratch / _tools.CACHE_DIR_NAME]
        root = _tools.find_project_root(tree)
        if root is not None:
            cache_dirs.append(root / _tools.CACHE_DIR_NAME)
        if help_text is not None and "--cache-dir" in help_text:
            cache_extra = ["--cache-dir", str(scratch / "cache-dir")]
            cache_dirs.insert(0, scratch / "cache-dir")
        ad_extra: list[str] = []
        if help_text is not None and "--no-progress" in help_text:
            ad_extra.append("--no-progress")
        if args.asyncdoctor_jobs is not None:
            ad_extra += ["--jobs", str(args.asyncdoctor_jobs)]

        def wipe_cache() -> None:
            for d in cache_dirs:
                if d.name in (_tools.CACHE_DIR_NAME, "cache-dir") and d.is_dir():
                    shutil.rmtree(d)

        # flake8-async's files: the tree less the files it crashes on, maybe a subset.
        # flake8-async's files: maybe an evenly spread subset, less the files that
        # would crash it (and with it the whole flake8 run; see _tools.flake8_crashers).
        flake8_files = spread_subset(files, args.flake8_max_lines)
        if len(flake8_files) != len(files):
            step = math.ceil(n_lines / args.flake8_max_lines)
            notes.append(f"flake8-async ran on every {step}th file of the tree")
        crashers = _tools.flake8_crashers(tools, flake8_files) if run_flake8 else {}
        if crashers:
            flake8_files = [f for f in flake8_files if f not in crashers]
            for path, why in crashers.items():
                notes.append(
                    f"flake8-async would crash on {path.relative_to(tree)} ({why}), aborting the "
                    "whole flake8 run: that file is left out of its files"
                )
        f8_files, f8_lines = corpus.count_lines(*flake8_files)
        flake8_explicit = len(flake8_files) != len(files)
        if flake8_explicit:
            notes.append(f"flake8-async's share: {f8_files:,} files, {f8_lines:,} lines")

        results: dict[str, Result] = {}
        if run_ad:
            for key in (COLD, COLD_WRITE, CACHED):
                results[key] = Result(key, n_files, n_lines)
            results[STARTUP] = Result(STARTUP, 1, 0)
        results[RUFF] = Result(RUFF, n_files, n_lines)
        if run_flake8:
            results[FLAKE8] = Result(FLAKE8, f8_files, f8_lines)

        cmd_cold = _tools.asyncdoctor_cmd(base, [tree], no_cache=True, extra=ad_extra)
        cmd_cache = _tools.asyncdoctor_cmd(
            base, [tree], no_cache=False, extra=ad_extra + cache_extra
        )
        empty = scratch / "empty" / "empty.py"
        empty.parent.mkdir()
        empty.touch()
        cmd_startup = _tools.asyncdoctor_cmd(base, [empty], no_cache=True, extra=ad_extra)
        cmd_ruff = _tools.ruff_cmd(tools, [tree], output_format="json")
        cmd_flake8 = _tools.flake8_cmd(tools, flake8_files if flake8_explicit else [tree])

        ad_checked: set[int] = set()
        ad_unreadable: set[int] = set()

        def timed(key: str, cmd: list[str], counter: Any) -> None:
            is_ad = key in AD_KEYS
            # asyncdoctor exits 2 when some files could not be read or parsed (the
            # stdlib has a few on purpose); its JSON output still holds the rest.
            # ruff and flake8 run with --exit-zero: anything but 0 is a failure.
            run = _tools.run_timed(cmd, cwd=scratch, ok_codes=(0, 1, 2) if is_ad else (0,))
            res = results[key]
            res.seconds.append(run.seconds)
            res.cpu_seconds.append(run.cpu_seconds)
            if run.peak_rss_mb is not None:
                res.peak_rss_mb.append(run.peak_rss_mb)
            try:
                res.findings.append(counter(run))
            except json.JSONDecodeError as exc:
                raise _tools.ToolError(
                    f"{key}: bad JSON ({exc}); stderr:\n{run.stderr[-2000:]}"
                ) from exc
            if is_ad and key != STARTUP:
                checked = _tools.asyncdoctor_files_checked(run.stderr)
                if checked is not None:
                    ad_checked.add(checked)
                if run.returncode == 2:
                    ad_unreadable.add(_tools.asyncdoctor_files_unreadable(run.stderr) or -1)
            _tools.log(
                f"  {key:<12} {run.seconds:8.3f} s wall {run.cpu_seconds:8.3f} s CPU"
                f"  ({res.findings[-1]} findings)"
            )

        if not args.no_warmup:
            _tools.log("warm-up (untimed)")
            if run_ad:
                _tools.run_timed(cmd_cold, cwd=scratch, ok_codes=(0, 1, 2))
            _tools.run_timed(cmd_ruff, cwd=scratch, ok_codes=(0,))

        cache_found: set[str] = set()
        reps = max(args.reps, args.flake8_reps if run_flake8 else 0)
        for i in range(reps):
            _tools.log(f"round {i + 1}/{reps}")
            if i < args.reps:
                if run_ad:
                    timed(STARTUP, cmd_startup, count_asyncdoctor)
                    timed(COLD, cmd_cold, count_asyncdoctor)
                timed(RUFF, cmd_ruff, count_ruff)
                if run_ad:
                    wipe_cache()
                    timed(COLD_WRITE, cmd_cache, count_asyncdoctor)
                    cache_found.update(str(d) for d in cache_dirs if d.is_dir())
                    timed(CACHED, cmd_cache, count_asyncdoctor)
            if run_flake8 and i < args.flake8_reps:
                try:
                    timed(FLAKE8, cmd_flake8, count_flake8)
                except _tools.ToolError as exc:
                    last = str(exc).strip().splitlines()[-1][:300]
                    notes.append(f"flake8-async failed, no figures for it: {last}")
                    _tools.log(f"flake8-async failed: {exc}")
                    del results[FLAKE8]
                    run_flake8 = False
        if run_ad:
            wipe_cache()
            if not cache_found:
                notes.append(
                    "no cache folder was found after the cache-writing runs: (c) is not a cached run"
                )
            findings = {k: sorted(set(results[k].findings)) for k in (COLD, COLD_WRITE, CACHED)}
            if len({tuple(v) for v in findings.values()}) != 1 or len(findings[COLD]) != 1:
                notes.append(f"asyncdoctor's finding counts differ between runs: {findings}")
            if ad_unreadable:
                notes.append(
                    "asyncdoctor exited 2: it could not check "
                    f"{'/'.join(str(n) for n in sorted(ad_unreadable))} files (unreadable or bad syntax)"
                )
            if ad_checked and ad_checked != {n_files}:
                notes.append(
                    f"asyncdoctor says it checked {sorted(ad_checked)} files, the line counter "
                    f"found {n_files}"
                )
        if src_fingerprint() != src_before:
            notes.append(
                "asyncdoctor's source (src/asyncdoctor) changed during the measurement: "
                "a changed checker invalidates its cache, so these figures are unreliable"
            )
        commands = {
            COLD: cmd_cold,
            COLD_WRITE: cmd_cache,
            CACHED: cmd_cache,
            STARTUP: cmd_startup,
            RUFF: cmd_ruff,
        }
        if run_flake8:
            commands[FLAKE8] = (
                [*cmd_flake8[: len(cmd_flake8) - len(flake8_files)], "FILES..."]
                if flake8_explicit
                else cmd_flake8
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    return build_report(
        tree=tree, tree_desc=tree_desc, n_files=n_files, n_lines=n_lines, results=results,
        versions=versions, ad_version=_tools.asyncdoctor_version(base) if run_ad else None,
        cache_found=sorted(cache_found), notes=notes, args=args,
        commands={k: shlex.join(c) for k, c in commands.items() if k in results},
    )  # fmt: skip


# ------------------------------------------------------------------------ reporting


def build_report(
    *,
    tree: Path,
    tree_desc: str,
    n_files: int,
    n_lines: int,
    results: dict[str, Result],
    versions: dict[str, str],
    ad_version: str | None,
    cache_found: list[str],
    notes: list[str],
    args: argparse.Namespace,
    commands: dict[str, str],
) -> dict[str, Any]:
    def speed(key: str, cpu: bool) -> float | None:
        if key not in results:
            return None
        return results[key].cpu_lps if cpu else results[key].lps

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b is not None else None

    cold_rss = results[COLD].peak_rss_mb if COLD in results else []
    ratios: dict[str, Any] = {
        "cold_lines_per_second": speed(COLD, False),
        "cold_lines_per_cpu_second": speed(COLD, True),
        # the largest peak of any cold run (None: not measured here)
        "cold_peak_rss_mb": max(cold_rss) if cold_rss else None,
        "startup_seconds": results[STARTUP].stats.median if STARTUP in results else None,
    }
    for basis, cpu in (("wall", False), ("cpu", True)):
        ratios[basis] = {
            "cached_speedup_vs_cold": ratio(speed(CACHED, cpu), speed(COLD, cpu)),
            "cached_speedup_vs_cold_write": ratio(speed(CACHED, cpu), speed(COLD_WRITE, cpu)),
            "cache_write_overhead": ratio(speed(COLD, cpu), speed(COLD_WRITE, cpu)),
            "asyncdoctor_vs_flake8_async": ratio(speed(COLD, cpu), speed(FLAKE8, cpu)),
            "asyncdoctor_vs_ruff": ratio(speed(COLD, cpu), speed(RUFF, cpu)),
            "ruff_vs_flake8_async": ratio(speed(RUFF, cpu), speed(FLAKE8, cpu)),
        }
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _tools.machine_summary(),
        "load_average": _load_average(),
        "tree": str(tree),
        "tree_description": tree_desc,
        "files": n_files,
        "lines": n_lines,
        "versions": {**versions, "asyncdoctor": ad_version, "asyncdoctor_git": git_head()},
        "reps": args.reps,
        "flake8_reps": args.flake8_reps,
        "cache_dirs_found": cache_found,
        "commands": commands,
        "notes": notes,
        "results": {
            k: {
                **asdict(r),
                "label": LABELS[k],
                "median": r.stats.median,
                "min": r.stats.low,
                "max": r.stats.high,
                "cpu_median": r.cpu_stats.median,
                "lines_per_second": r.lps,
                "lines_per_cpu_second": r.cpu_lps,
            }
            for k, r in results.items()
        },
        "ratios": ratios,
        "targets": {
            "cold_lines_per_second": TARGET_COLD_LPS,
            "cached_speedup_vs_cold": TARGET_CACHE_SPEEDUP,
            "asyncdoctor_vs_flake8_async": TARGET_VS_FLAKE8,
        },
    }


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _x(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}x" if value >= 100 else f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value >= target else "**missed**"


def render_markdown(rep: dict[str, Any]) -> str:
    v = rep["versions"]
    out: list[str] = []
    out.append(
        f"### Speed on {rep['tree_description']}: {rep['files']:,} files, {rep['lines']:,} lines"
    )
    out.append("")
    tools = [f"ruff {v.get('ruff', '?').removeprefix('ruff ')}", f"flake8 {v.get('flake8', '?')}"]
    if v.get("asyncdoctor"):
        tools.insert(0, f"asyncdoctor {v['asyncdoctor']} ({v['asyncdoctor_git']})")
    load = rep["load_average"]
    out.append(
        f"{rep['date']}; {rep['machine']}"
        + (f"; load average at the end {load[0]}/{load[1]}/{load[2]}" if load else "")
        + f"; {'; '.join(tools)}. "
        f"Each run is a subprocess; wall-clock seconds include start-up; CPU seconds add up "
        f"all processes and threads. Median of {rep['reps']} interleaved runs "
        f"({rep['flake8_reps']} for flake8-async), wall min-max in brackets."
    )
    out.append("")
    out.append(
        "| run | files | lines | wall s, median (min-max) | CPU s | runs | lines/s | "
        "lines/CPU-s | findings |"
    )
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rep["results"].values():
        findings = "/".join(str(n) for n in sorted(set(r["findings"])))
        out.append(
            f"| {r['label']} | {r['files']:,} | {r['lines']:,} | "
            f"{r['median']:.3f} ({r['min']:.3f}-{r['max']:.3f}) | {r['cpu_median']:.3f} | "
            f"{len(r['seconds'])} | {_n(r['lines_per_second'])} | "
            f"{_n(r['lines_per_cpu_second'])} | {findings} |"
        )
    out.append("")
    ra, tg = rep["ratios"], rep["targets"]
    w, c = ra["wall"], ra["cpu"]
    out.append("| measure | wall clock | CPU time | target (wall clock) | |")
    out.append("|---|--:|--:|--:|---|")
    cold = ra["cold_lines_per_second"]
    out.append(
        f"| asyncdoctor cold, lines per second | {_n(cold)} | "
        f"{_n(ra['cold_lines_per_cpu_second'])} | >= {tg['cold_lines_per_second']:,} | "
        f"{_verdict(cold, tg['cold_lines_per_second'])} |"
    )
    rss = ra.get("cold_peak_rss_mb")
    out.append(
        f"| asyncdoctor cold, peak memory of any process (largest run) | "
        f"{'unknown' if rss is None else f'{rss:,.0f} MB'} | | < 1,024 MB | "
        f"{'unknown' if rss is None else ('met' if rss < 1024 else '**missed**')} |"
    )
    rows = [
        ("speed-up, cached re-run over cold (`--no-cache`)", "cached_speedup_vs_cold"),
        ("speed-up, cached re-run over cold run writing the cache", "cached_speedup_vs_cold_write"),
        ("cost of writing the cache (cold-writing time / cold time)", "cache_write_overhead"),
        ("speed-up, asyncdoctor cold over flake8-async (lines/s)", "asyncdoctor_vs_flake8_async"),
        ("speed-up, asyncdoctor cold over ruff (lines/s)", "asyncdoctor_vs_ruff"),
        ("speed-up, ruff over flake8-async (lines/s)", "ruff_vs_flake8_async"),
    ]
    for label, key in rows:
        target = tg.get(key)
        goal = f">= {target:.0f}x | {_verdict(w[key], target)}" if target else " |"
        out.append(f"| {label} | {_x(w[key])} | {_x(c[key])} | {goal} |")
    if ra["startup_seconds"] is not None:
        out.append(
            f"| asyncdoctor start-up (one empty file), seconds | {ra['startup_seconds']:.3f} | | | |"
        )
    if rep["notes"]:
        out.append("")
        out.extend(f"Note: {n}." for n in rep["notes"])
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time asyncdoctor (cold, cache-writing, cached), ruff and flake8-async on one tree.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--tree", default="django",
        help=f"a corpus name ({', '.join(corpus.ALL_NAMES)}: its package folder) or a path",
    )  # fmt: skip
    parser.add_argument(
        "--reps", type=int, default=5, help="timed runs of asyncdoctor (each mode) and ruff"
    )
    parser.add_argument("--flake8-reps", type=int, default=1, help="timed runs of flake8-async")
    parser.add_argument("--skip-flake8", action="store_true", help="don't run flake8-async")
    parser.add_argument("--skip-asyncdoctor", action="store_true", help="don't run asyncdoctor")
    parser.add_argument(
        "--flake8-max-lines", type=int, default=0,
        help="run flake8-async on an evenly spread subset of about this many lines (0: whole tree)",
    )  # fmt: skip
    parser.add_argument(
        "--asyncdoctor", metavar="CMD", default=None,
        help=f"command that runs asyncdoctor (default: {' '.join(_tools.DEFAULT_ASYNCDOCTOR)})",
    )  # fmt: skip
    parser.add_argument(
        "--asyncdoctor-jobs", metavar="N", type=int, default=None,
        help="pass --jobs N to asyncdoctor (default: its own default)",
    )  # fmt: skip
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up runs")
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="also save all numbers as JSON here"
    )
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")

    rep = measure(args)
    print(render_markdown(rep))
    if args.json:
        args.json.write_text(json.dumps(rep, indent=2) + "\n")
        _tools.log(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
