"""What does asyncdoctor report on well-kept async projects, next to ruff and flake8-async?

Real projects maintained by asyncio experts should produce few findings; whatever
asyncdoctor reports there is either a real bug or noise (a false positive or an
opinion), so this script is for reading findings and counting them.

For each of aiohttp, httpx, starlette, uvicorn and anyio (pinned sdists from
``bench/corpus.py``) it checks, separately, the source package (e.g.
``aiohttp/aiohttp``, ``anyio/src/anyio``) and the test folder (``tests``) with:

* asyncdoctor: ``asyncdoctor check --format json --no-cache PATH``
* ruff: ``ruff check --no-cache --isolated --select ASYNC,RUF006 --exit-zero --output-format json``
* flake8-async: ``flake8 --isolated --select ASYNC --asyncio -j 2 --exit-zero``
  (every flake8-async rule, the opinionated ASYNC9xx ones included)

and prints two Markdown tables: findings per tool and tree (with findings per
10,000 lines), and findings per rule (rows: tool and rule; columns: trees).
Every tool runs in a scratch working directory so no configuration of this repo
or of the sdists is read (ruff and flake8 run ``--isolated``).

Run it::

    python bench/noise.py                       # all five projects, all three tools
    python bench/noise.py --list                # also every asyncdoctor finding
    python bench/noise.py --list all            # ... and every ruff/flake8-async finding
    python bench/noise.py httpx anyio --skip-flake8 --json noise.json
    python bench/noise.py --asyncdoctor-args "--select ALL"

A finding is listed as ``path:line:col CODE message`` with the path relative to
``bench/_corpus``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shlex
import shutil
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import _tools
import corpus
from _tools import Tools

PROJECT_NAMES: tuple[str, ...] = ("aiohttp", "httpx", "starlette", "uvicorn", "anyio")
TOOL_NAMES: tuple[str, ...] = ("asyncdoctor", "ruff", "flake8-async")
FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>\S+) ?(?P<msg>.*)$")


@dataclass
class Finding:
    tool: str
    path: str
    line: int
    column: int
    code: str  # for asyncdoctor: "CODE name"
    message: str

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.column} {self.code} {self.message}"


@dataclass
class Tree:
    project: str
    part: str  # "src" or "tests"
    path: Path
    files: int
    lines: int
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.project if self.part == "src" else f"{self.project} tests"


def short_path(path: str) -> str:
    """Paths relative to bench/_corpus where possible, for reading."""
    try:
        return str(Path(path).resolve().relative_to(corpus.CORPUS_DIR))
    except ValueError:
        return path


# ------------------------------------------------------------------------- tools


def run_asyncdoctor(
    base: list[str], extra: list[str], tree: Path, cwd: Path
) -> tuple[list[Finding], float]:
    cmd = _tools.asyncdoctor_cmd(base, [tree], no_cache=True, fmt="json", extra=extra)
    # Exit 2 with JSON on stdout: some files could not be read or parsed, the rest
    # were checked.  Without JSON, it is a real failure (json.loads raises).
    run = _tools.run_timed(cmd, cwd=cwd, ok_codes=(0, 1, 2))
    if run.returncode == 2:
        n = _tools.asyncdoctor_files_unreadable(run.stderr)
        _tools.log(f"{short_path(str(tree))}: asyncdoctor exit 2, could not check {n} files")
    checked = _tools.asyncdoctor_files_checked(run.stderr)
    files, _ = corpus.count_lines(tree)
    if checked is not None and checked != files:
        _tools.log(f"{short_path(str(tree))}: asyncdoctor checked {checked} files of {files}")
    try:
        data = json.loads(run.stdout or "[]")
    except json.JSONDecodeError as exc:
        tail = "\n".join(run.stderr.strip().splitlines()[-10:])
        raise _tools.ToolError(
            f"exit {run.returncode}, no JSON on stdout ({exc}):\n{tail}"
        ) from exc
    if not isinstance(data, list):
        raise _tools.ToolError("asyncdoctor --format json did not print a list")
    out = [
        Finding(
            "asyncdoctor",
            short_path(str(cwd / d["path"])),
            int(d["line"]),
            int(d["column"]),
            f"{d['code']} {d.get('name', '')}".strip(),
            str(d.get("message", "")),
        )
        for d in data
        if d.get("code")  # not the files that could not be checked (code null, a kind)
    ]
    return out, run.seconds


def run_ruff(tools: Tools, tree: Path, cwd: Path) -> tuple[list[Finding], float]:
    cmd = _tools.ruff_cmd(tools, [tree], output_format="json")
    run = _tools.run_timed(cmd, cwd=cwd, ok_codes=(0,))  # --exit-zero: else a failure
    out = [
        Finding(
            "ruff",
            short_path(d["filename"]),
            int(d["location"]["row"]),
            int(d["location"]["column"]),
            d.get("code") or "syntax-error",
            str(d.get("message", "")),
        )
        for d in json.loads(run.stdout or "[]")
    ]
    return out, run.seconds


def run_flake8(tools: Tools, tree: Path, cwd: Path) -> tuple[list[Finding], float]:
    # Files that would crash flake8-async, and the whole flake8 run with it, are left out.
    files = list(corpus.iter_py_files(tree))
    crashers = _tools.flake8_crashers(tools, files)
    paths: list[Path] = [tree]
    if crashers:
        for path, why in crashers.items():
            _tools.log(f"flake8-async would crash on {short_path(str(path))} ({why}): left out")
        paths = [f for f in files if f not in crashers]
    # --exit-zero: any other exit (e.g. a plugin crash, which loses all output) fails.
    run = _tools.run_timed(_tools.flake8_cmd(tools, paths), cwd=cwd, ok_codes=(0,))
    out: list[Finding] = []
    for line in run.stdout.splitlines():
        m = FLAKE8_LINE.match(line)
        if m:
            out.append(
                Finding(
                    "flake8-async",
                    short_path(str(cwd / m["path"])),
                    int(m["line"]),
                    int(m["col"]),
                    m["code"],
                    m["msg"],
                )
            )
        elif line.strip():
            _tools.log(f"flake8: unparsed output line: {line}")
    return out, run.seconds


# ----------------------------------------------------------------------- running


def collect_trees(names: list[str], with_tests: bool) -> list[Tree]:
    trees: list[Tree] = []
    for name in names:
        corpus.ensure(name)
        parts: list[tuple[str, Path | None]] = [("src", corpus.package_dir(name))]
        if with_tests:
            parts.append(("tests", corpus.tests_dir(name)))
        for part, path in parts:
            if path is None:
                _tools.log(f"{name}: its sdist has no tests folder")
                continue
            files, lines = corpus.count_lines(path)
            trees.append(Tree(name, part, path, files, lines))
    return trees


def run_all(args: argparse.Namespace, trees: list[Tree]) -> dict[str, str]:
    """Run the selected tools over every tree; returns the tools' versions."""
    tools = _tools.ensure_tools()
    versions = _tools.tool_versions(tools)
    base = _tools.asyncdoctor_base(args.asyncdoctor)
    extra = shlex.split(args.asyncdoctor_args or "")
    use_ad = not args.skip_asyncdoctor
    if use_ad:
        help_text = _tools.asyncdoctor_help(base)
        if help_text is None:
            _tools.log(
                f"asyncdoctor is not runnable yet ({' '.join(base)} check --help failed): skipping it"
            )
            use_ad = False
        elif "--no-progress" in help_text:
            extra.append("--no-progress")

    scratch = _tools.scratch_dir("asyncdoctor-noise-")
    try:
        for tree in trees:
            jobs: list[tuple[str, Any]] = []
            if use_ad:
                jobs.append(("asyncdoctor", lambda t: run_asyncdoctor(base, extra, t, scratch)))
            if not args.skip_ruff:
                jobs.append(("ruff", lambda t: run_ruff(tools, t, scratch)))
            if not args.skip_flake8:
                jobs.append(("flake8-async", lambda t: run_flake8(tools, t, scratch)))
            for tool, fn in jobs:
                try:
                    found, seconds = fn(tree.path)
                except (_tools.ToolError, json.JSONDecodeError, KeyError) as exc:
                    tree.errors[tool] = str(exc)
                    _tools.log(f"{tree.label}: {tool} failed: {exc}")
                    continue
                tree.findings[tool] = found
                tree.seconds[tool] = seconds
                _tools.log(
                    f"{tree.label:<18} {tool:<13} {len(found):5d} findings  {seconds:7.2f} s"
                )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if use_ad:
        versions["asyncdoctor"] = _tools.asyncdoctor_version(base)
    return versions


# --------------------------------------------------------------------- reporting


def render(trees: list[Tree], versions: dict[str, str]) -> str:
    tools = [t for t in TOOL_NAMES if any(t in tr.findings or t in tr.errors for tr in trees)]
    out: list[str] = []
    vs = "; ".join(f"{k} {v.removeprefix(k).strip()}" for k, v in versions.items())
    out.append(f"### Findings on async projects ({vs})")
    out.append("")
    out.append("Findings per tree (and per 10,000 lines):")
    out.append("")
    out.append("| tree | files | lines | " + " | ".join(tools) + " |")
    out.append("|---|--:|--:|" + "--:|" * len(tools))
    totals: Counter[str] = Counter()
    all_lines = sum(t.lines for t in trees)
    for tr in trees:
        cells = []
        for tool in tools:
            if tool in tr.errors:
                cells.append("error")
                continue
            n = len(tr.findings.get(tool, []))
            totals[tool] += n
            cells.append(f"{n} ({n * 10_000 / max(tr.lines, 1):.1f})")
        out.append(f"| {tr.label} | {tr.files:,} | {tr.lines:,} | " + " | ".join(cells) + " |")
    total_cells = [f"**{totals[t]}** ({totals[t] * 10_000 / max(all_lines, 1):.1f})" for t in tools]
    out.append(
        f"| **total** | {sum(t.files for t in trees):,} | {all_lines:,} | "
        + " | ".join(total_cells)
        + " |"
    )
    out.append("")

    out.append("Findings per rule:")
    out.append("")
    out.append("| tool | rule | " + " | ".join(tr.label for tr in trees) + " | total |")
    out.append("|---|---|" + "--:|" * (len(trees) + 1))
    for tool in tools:
        per_tree = [Counter(f.code for f in tr.findings.get(tool, [])) for tr in trees]
        codes = sorted(set().union(*per_tree))
        if not codes:
            out.append(f"| {tool} | (none) | " + " | ".join("0" for _ in trees) + " | 0 |")
        for code in codes:
            counts = [c.get(code, 0) for c in per_tree]
            row = " | ".join(str(n) if n else "" for n in counts)
            out.append(f"| {tool} | {code} | {row} | {sum(counts)} |")
    errors = [f"{tr.label}: {tool}: {msg}" for tr in trees for tool, msg in tr.errors.items()]
    if errors:
        out.append("")
        out.extend(f"Error: {e.splitlines()[0]}" for e in errors)
    return "\n".join(out)


def render_list(trees: list[Tree], which: str) -> str:
    tools = TOOL_NAMES if which == "all" else (which,)
    out: list[str] = []
    for tool in tools:
        found = [f for tr in trees for f in tr.findings.get(tool, [])]
        if not found:
            continue
        out.append(f"#### {tool}: {len(found)} findings")
        out.extend(
            f.render() for f in sorted(found, key=lambda f: (f.path, f.line, f.column, f.code))
        )
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Count (and list) what asyncdoctor, ruff and flake8-async report on async projects."
    )
    parser.add_argument(
        "projects", nargs="*", metavar="PROJECT", help=f"default: {' '.join(PROJECT_NAMES)}"
    )
    parser.add_argument(
        "--list", nargs="?", const="asyncdoctor", choices=[*TOOL_NAMES, "all"], default=None,
        help="print every finding as path:line:col CODE message (default tool: asyncdoctor)",
    )  # fmt: skip
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="save counts and all findings here"
    )
    parser.add_argument("--no-tests", action="store_true", help="check the source packages only")
    parser.add_argument("--skip-asyncdoctor", action="store_true")
    parser.add_argument("--skip-ruff", action="store_true")
    parser.add_argument("--skip-flake8", action="store_true")
    parser.add_argument(
        "--asyncdoctor", metavar="CMD", default=None,
        help=f"command that runs asyncdoctor (default: {' '.join(_tools.DEFAULT_ASYNCDOCTOR)})",
    )  # fmt: skip
    parser.add_argument(
        "--asyncdoctor-args", metavar="ARGS", default=None,
        help='extra arguments for asyncdoctor check, e.g. "--select ALL"',
    )  # fmt: skip
    args = parser.parse_args(argv)
    names: list[str] = args.projects or list(PROJECT_NAMES)
    unknown = [n for n in names if n not in corpus.PROJECTS]
    if unknown:
        parser.error(f"unknown project {', '.join(unknown)}; known: {', '.join(corpus.PROJECTS)}")

    trees = collect_trees(names, with_tests=not args.no_tests)
    versions = run_all(args, trees)
    if args.list:
        print(render_list(trees, args.list))
    print(render(trees, versions))
    if args.json:
        payload = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": _tools.machine_summary(),
            "versions": versions,
            "pins": {n: corpus.PROJECTS[n].version for n in names},
            "trees": [
                {
                    "project": tr.project,
                    "part": tr.part,
                    "path": str(tr.path),
                    "files": tr.files,
                    "lines": tr.lines,
                    "seconds": tr.seconds,
                    "errors": tr.errors,
                    "counts": {
                        t: dict(Counter(f.code for f in fs)) for t, fs in tr.findings.items()
                    },
                    "findings": {t: [asdict(f) for f in fs] for t, fs in tr.findings.items()},
                }
                for tr in trees
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        _tools.log(f"saved {args.json}")
    return 1 if any(tr.errors for tr in trees) else 0


if __name__ == "__main__":
    sys.exit(main())
