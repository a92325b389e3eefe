"""How many real asyncio bugs does each tool find, and how many of its findings are right?

The yardstick is ``bench/accuracy/cases/``: small, realistic programs (single files
and packages) in which every bug line carries a trailing comment::

    resp = requests.get(url)  # bug: ADC101
    resp = await httpx.AsyncClient().get(url)  # bug: ADC401, ADC402
    tasks = [asyncio.create_task(job(x)) for x in xs]  # bug: ADC502 @fanout
    await asyncio.wait(tasks)  # bug: ADC502 @fanout

A marker names the asyncdoctor rule(s) that should report that exact line.  Lines
of one file that share a code and an ``@label`` are one bug with several
acceptable lines (the bug counts once; a finding on any of them is correct).
See ``bench/accuracy/README.md`` for the conventions.

Each tool checks a scratch copy of the cases (so that no ``pyproject.toml``,
``setup.cfg`` or ``.gitignore`` of this repository is read):

* asyncdoctor: ``<python> -m asyncdoctor check --format json --no-cache CASE``,
  once per case (a file, or a package folder), ``--python`` picks the interpreter
  (default: the one running this script);
* ruff: ``ruff check --isolated --no-cache --select ASYNC,RUF006 --output-format json``;
* flake8-async: ``flake8 --isolated --select ASYNC --asyncio`` (every ASYNC rule,
  the opinionated ASYNC9xx ones included; a second row leaves those out).

ruff, flake8 and flake8-async come from ``bench/_venv`` (created and filled with
pinned versions by ``bench/_tools.py`` when missing).

Scoring:

* a bug is *found* when the tool reports anything on one of its lines; for
  asyncdoctor, "right code" also needs the finding's code to be the marked one;
* a finding is *correct* when it lands on a marked line (for asyncdoctor's
  "right code" row: a line marked with the finding's code); findings are
  de-duplicated by (file, line, code) first;
* recall = found / bugs, precision = correct / findings.

Run it::

    python bench/accuracy.py                              # all three tools
    .venv/bin/python bench/accuracy.py --list             # + asyncdoctor's misses and false alarms
    python bench/accuracy.py --python .venv/bin/python --json accuracy.json
    python bench/accuracy.py --list all --skip-asyncdoctor
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _tools

CASES_DIR = _tools.BENCH_DIR / "accuracy" / "cases"

RULES: dict[str, str] = {
    "ADC101": "blocking-call",
    "ADC102": "thread-lock-across-await",
    "ADC103": "loop-in-loop",
    "ADC201": "unawaited-coroutine",
    "ADC202": "coroutine-as-callback",
    "ADC301": "task-reference",
    "ADC302": "unnecessary-task",
    "ADC401": "resource-leak",
    "ADC402": "client-per-request",
    "ADC501": "sequential-await",
    "ADC502": "unbounded-concurrency",
    "ADC503": "busy-wait",
    "ADC504": "local-limiter",
    "ADC505": "loop-per-item",
    "ADC601": "swallowed-cancel",
}

MARKER = re.compile(
    r"#\s*bug:\s*(?P<codes>[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)(?:\s+@(?P<label>[\w-]+))?"
)
FLAKE8_FORMAT = "%(path)s:%(row)d:%(col)d: %(code)s %(text)s"
FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>\S+) ?(?P<msg>.*)$")

AD = "asyncdoctor"
RUFF = "ruff"
FLAKE8 = "flake8-async"
FLAKE8_NO9 = "flake8-async (no ASYNC9xx)"


# ------------------------------------------------------------------------ the set


@dataclass(frozen=True)
class Bug:
    case: str
    path: str  # relative to the cases folder, with "/"
    code: str
    lines: tuple[int, ...]
    label: str | None = None

    def where(self) -> str:
        return f"{self.path}:{'/'.join(map(str, self.lines))}"


@dataclass
class Case:
    name: str  # a file ("x.py") or a package folder ("pkg")
    files: list[str]
    bugs: list[Bug] = field(default_factory=list)


def _comments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment, read with tokenize so strings can't fool it."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out.append((tok.start[0], tok.string))
    return out


def load_cases(root: Path) -> list[Case]:
    entries = sorted(p for p in root.iterdir() if not p.name.startswith((".", "_")))
    cases: list[Case] = []
    for entry in entries:
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*.py") if "__pycache__" not in p.parts)
        elif entry.suffix == ".py":
            files = [entry]
        else:
            continue
        if not files:
            continue
        case = Case(entry.name, [p.relative_to(root).as_posix() for p in files])
        groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for path, rel in zip(files, case.files, strict=True):
            for line, text in _comments(path.read_text(encoding="utf-8")):
                if "bug:" not in text:
                    continue
                m = MARKER.search(text)
                if m is None:
                    raise SystemExit(f"{rel}:{line}: malformed bug marker: {text!r}")
                for code in (c.strip() for c in m["codes"].split(",")):
                    if code not in RULES:
                        raise SystemExit(f"{rel}:{line}: unknown code {code} in {text!r}")
                    if m["label"]:
                        groups[(rel, code, m["label"])].append(line)
                    else:
                        case.bugs.append(Bug(case.name, rel, code, (line,)))
        for (rel, code, label), lines in groups.items():
            case.bugs.append(Bug(case.name, rel, code, tuple(sorted(lines)), label))
        case.bugs.sort(key=lambda b: (b.path, b.lines, b.code))
        cases.append(case)
    return cases


# ------------------------------------------------------------------------ the tools


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the cases folder, with "/"
    line: int
    column: int
    code: str
    message: str

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


def _rel(path: str, cwd: Path, root: Path) -> str:
    p = Path(path)
    if not p.is_absolute():
        p = cwd / p
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout
    )


def asyncdoctor_runnable(base: list[str], cwd: Path) -> str | None:
    """None when ``check --help`` works, else why not."""
    try:
        proc = _run([*base, "check", "--help"], cwd, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return None


def run_asyncdoctor_case(
    base: list[str], extra: list[str], case: Case, root: Path
) -> tuple[list[Finding], str | None]:
    cmd = [*base, "check", "--format", "json", "--no-cache", *extra, case.name]
    try:
        proc = _run(cmd, root)
    except subprocess.TimeoutExpired:
        return [], "timed out"
    error = None
    if proc.returncode not in (0, 1):
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        error = f"exit {proc.returncode}: {tail}"
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return [], error or f"exit {proc.returncode}: no JSON on stdout"
    if not isinstance(data, list):
        return [], "--format json did not print a list"
    findings = [
        Finding(
            _rel(str(d["path"]), root, root),
            int(d["line"]),
            int(d.get("column", 0)),
            str(d["code"]),
            str(d.get("message", "")),
        )
        for d in data
        if d.get("code")  # not the files that could not be checked (code null, a kind)
    ]
    return findings, error


def run_asyncdoctor(
    base: list[str], extra: list[str], cases: list[Case], root: Path, jobs: int
) -> tuple[list[Finding], dict[str, str]]:
    findings: list[Finding] = []
    errors: dict[str, str] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_asyncdoctor_case, base, extra, c, root): c for c in cases}
        for fut in concurrent.futures.as_completed(futures):
            got, error = fut.result()
            findings.extend(got)
            if error:
                errors[futures[fut].name] = error
    return findings, errors


def run_ruff(tools: _tools.Tools, root: Path) -> list[Finding]:
    proc = _run(_tools.ruff_cmd(tools, [Path(".")], output_format="json"), root)
    if proc.returncode != 0:
        raise _tools.ToolError(f"ruff exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return [
        Finding(
            _rel(d["filename"], root, root),
            int(d["location"]["row"]),
            int(d["location"]["column"]),
            d.get("code") or "syntax-error",
            str(d.get("message", "")),
        )
        for d in json.loads(proc.stdout or "[]")
    ]


def run_flake8(tools: _tools.Tools, root: Path) -> list[Finding]:
    cmd = [
        str(tools.flake8),
        *_tools.FLAKE8_ARGS,
        "-j",
        str(_tools.JOBS),
        f"--format={FLAKE8_FORMAT}",
        ".",
    ]
    proc = _run(cmd, root)
    if proc.returncode != 0:
        raise _tools.ToolError(f"flake8 exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    out = []
    for line in proc.stdout.splitlines():
        m = FLAKE8_LINE.match(line)
        if m:
            out.append(
                Finding(
                    _rel(m["path"], root, root), int(m["line"]), int(m["col"]), m["code"], m["msg"]
                )
            )
        elif line.strip():
            _tools.log(f"flake8: unparsed output line: {line}")
    return out


# ------------------------------------------------------------------------- scoring


@dataclass
class Score:
    tool: str
    bugs: int
    found: int
    findings: int
    correct: int
    found_by_code: dict[str, int]
    misses: list[Bug]
    false_alarms: list[Finding]
    # asyncdoctor only: per code, its findings with that code and how many are right
    findings_by_code: dict[str, int] = field(default_factory=dict)
    correct_by_code: dict[str, int] = field(default_factory=dict)

    @property
    def recall(self) -> float | None:
        return self.found / self.bugs if self.bugs else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


def dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, int, str], Finding] = {}
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code)):
        seen.setdefault((f.path, f.line, f.code), f)
    return list(seen.values())


def score(tool: str, bugs: list[Bug], findings: list[Finding], *, by_code: bool) -> Score:
    """``by_code``: a finding must carry the bug's code (asyncdoctor's "right code")."""
    findings = dedupe(findings)
    marked: set[tuple[str, int]] = set()
    marked_code: set[tuple[str, int, str]] = set()
    for b in bugs:
        for line in b.lines:
            marked.add((b.path, line))
            marked_code.add((b.path, line, b.code))
    at_line: set[tuple[str, int]] = {(f.path, f.line) for f in findings}
    at_line_code: set[tuple[str, int, str]] = {(f.path, f.line, f.code) for f in findings}

    found_by_code: dict[str, int] = defaultdict(int)
    misses: list[Bug] = []
    for b in bugs:
        if by_code:
            hit = any((b.path, line, b.code) in at_line_code for line in b.lines)
        else:
            hit = any((b.path, line) in at_line for line in b.lines)
        if hit:
            found_by_code[b.code] += 1
        else:
            misses.append(b)

    false_alarms: list[Finding] = []
    findings_by_code: dict[str, int] = defaultdict(int)
    correct_by_code: dict[str, int] = defaultdict(int)
    for f in findings:
        ok = (f.path, f.line, f.code) in marked_code if by_code else (f.path, f.line) in marked
        findings_by_code[f.code] += 1
        if ok:
            correct_by_code[f.code] += 1
        else:
            false_alarms.append(f)
    return Score(
        tool,
        len(bugs),
        len(bugs) - len(misses),
        len(findings),
        len(findings) - len(false_alarms),
        dict(found_by_code),
        misses,
        false_alarms,
        dict(findings_by_code),
        dict(correct_by_code),
    )


# ------------------------------------------------------------------------ printing


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def frac(a: int, b: int) -> str:
    return f"{a}/{b} ({pct(a / b if b else None)})"


def overall_table(scores: list[Score]) -> str:
    rows = [
        "| tool | bugs found | recall | findings | on a bug line | precision | F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scores:
        rows.append(
            f"| {s.tool} | {s.found}/{s.bugs} | {pct(s.recall)} | {s.findings} | {s.correct} "
            f"| {pct(s.precision)} | {pct(s.f1)} |"
        )
    return "\n".join(rows)


def per_code_table(bugs: list[Bug], scores: dict[str, Score]) -> str:
    per_code: dict[str, int] = defaultdict(int)
    for b in bugs:
        per_code[b.code] += 1
    ad = scores.get(AD)
    ad_any = scores.get(f"{AD} (any code)")
    others = [s for name, s in scores.items() if not name.startswith(AD)]
    head = ["code", "rule", "bugs"]
    if ad is not None and ad_any is not None:
        head += [
            "asyncdoctor recall",
            "asyncdoctor findings",
            "asyncdoctor precision",
            "asyncdoctor recall (any code)",
        ]
    head += [f"{s.tool} recall" for s in others]
    rows = ["| " + " | ".join(head) + " |", "| --- | --- |" + " ---: |" * (len(head) - 2)]
    codes = sorted(set(per_code) | (set(ad.findings_by_code) if ad else set()))
    for code in codes:
        n = per_code.get(code, 0)
        cells = [code, RULES.get(code, "(not a rule)"), str(n)]
        if ad is not None and ad_any is not None:
            nf = ad.findings_by_code.get(code, 0)
            nc = ad.correct_by_code.get(code, 0)
            cells += [
                frac(ad.found_by_code.get(code, 0), n) if n else "—",
                str(nf),
                pct(nc / nf if nf else None),
                frac(ad_any.found_by_code.get(code, 0), n) if n else "—",
            ]
        cells += [frac(s.found_by_code.get(code, 0), n) if n else "—" for s in others]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def clean_case_table(cases: list[Case], findings: dict[str, list[Finding]]) -> str:
    clean = {c.name for c in cases if not c.bugs}
    rows = [
        "| tool | findings in bug-free cases | bug-free cases with a finding |",
        "| --- | ---: | ---: |",
    ]
    for tool, fs in findings.items():
        hits = [f for f in dedupe(fs) if f.path.split("/", 1)[0] in clean]
        touched = {f.path.split("/", 1)[0] for f in hits}
        rows.append(f"| {tool} | {len(hits)} | {len(touched)}/{len(clean)} |")
    return "\n".join(rows)


def source_line(root: Path, path: str, line: int) -> str:
    try:
        return (root / path).read_text(encoding="utf-8").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        return ""


def print_lists(s: Score, s_any: Score | None, bugs: list[Bug], root: Path) -> None:
    print(f"\n### {s.tool}: missed bugs ({len(s.misses)})\n")
    any_missed = {(b.path, b.lines, b.code) for b in s_any.misses} if s_any else set()
    for b in s.misses:
        note = ""
        if s_any is not None and (b.path, b.lines, b.code) not in any_missed:
            note = "  [reported with another code]"
        text = source_line(root, b.path, b.lines[0])
        print(f"- {b.where()} {b.code}{note}\n      {text}")
    print(f"\n### {s.tool}: false alarms ({len(s.false_alarms)})\n")
    marked = {(b.path, line) for b in bugs for line in b.lines}
    for f in s.false_alarms:
        note = "  [bug line, other code]" if (f.path, f.line) in marked else ""
        print(f"- {f.render()}{note}\n      {source_line(root, f.path, f.line)}")


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--cases", type=Path, default=CASES_DIR, help="the labelled cases folder")
    ap.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter that runs `-m asyncdoctor` (default: this one)",
    )
    ap.add_argument("--asyncdoctor-args", default="", help="extra arguments for `check`")
    ap.add_argument("--jobs", type=int, default=_tools.JOBS, help="asyncdoctor runs at once")
    ap.add_argument("--skip-asyncdoctor", action="store_true")
    ap.add_argument("--skip-ruff", action="store_true")
    ap.add_argument("--skip-flake8", action="store_true")
    ap.add_argument(
        "--list",
        nargs="?",
        const=AD,
        choices=(AD, "all"),
        help="print missed bugs and false alarms (asyncdoctor's, or every tool's)",
    )
    ap.add_argument("--json", type=Path, metavar="FILE", help="save the numbers here")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = load_cases(args.cases)
    bugs = [b for c in cases for b in c.bugs]
    n_clean = sum(1 for c in cases if not c.bugs)
    n_files = sum(len(c.files) for c in cases)
    print(
        f"# asyncdoctor accuracy\n\n{len(cases)} cases ({len(cases) - n_clean} with bugs, "
        f"{n_clean} bug-free; {n_files} files), {len(bugs)} marked bugs.\n"
    )

    scratch = _tools.scratch_dir("accuracy-")
    root = scratch / "cases"
    shutil.copytree(args.cases, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    findings: dict[str, list[Finding]] = {}
    versions: dict[str, str] = {}
    errors: dict[str, str] = {}
    try:
        if not args.skip_asyncdoctor:
            base = [args.python, "-m", "asyncdoctor"]
            why = asyncdoctor_runnable(base, root)
            if why is not None:
                _tools.log(f"asyncdoctor is not runnable ({shlex.join(base)}): {why}; skipping it")
            else:
                versions[AD] = _tools.asyncdoctor_version(base)
                extra = shlex.split(args.asyncdoctor_args)
                _tools.log(f"asyncdoctor {versions[AD]}: {len(cases)} cases")
                findings[AD], errors = run_asyncdoctor(base, extra, cases, root, args.jobs)
                for name, err in sorted(errors.items()):
                    _tools.log(f"asyncdoctor on {name}: {err}")
        if not (args.skip_ruff and args.skip_flake8):
            tools = _tools.ensure_tools()
            versions.update(_tools.tool_versions(tools))
            if not args.skip_ruff:
                findings[RUFF] = run_ruff(tools, root)
            if not args.skip_flake8:
                findings[FLAKE8] = run_flake8(tools, root)
                findings[FLAKE8_NO9] = [
                    f for f in findings[FLAKE8] if not f.code.startswith("ASYNC9")
                ]

        scores: dict[str, Score] = {}
        if AD in findings:
            scores[AD] = score(AD, bugs, findings[AD], by_code=True)
            scores[f"{AD} (any code)"] = score(
                f"{AD} (any code)", bugs, findings[AD], by_code=False
            )
        for tool in (RUFF, FLAKE8, FLAKE8_NO9):
            if tool in findings:
                scores[tool] = score(tool, bugs, findings[tool], by_code=False)
        if not scores:
            print("No tool ran.")
            return 1

        print("## Overall\n")
        print(overall_table(list(scores.values())))
        print(
            "\nrecall: bugs with a finding on their line (asyncdoctor: with the marked code) "
            "/ bugs; precision: findings on a marked line (asyncdoctor: marked with that code) "
            "/ findings.\n"
        )
        print("## Per rule\n")
        print(per_code_table(bugs, scores))
        print("\n## Bug-free cases\n")
        print(clean_case_table(cases, findings))
        if versions:
            print(
                "\n" + "; ".join(v if v.startswith(k) else f"{k} {v}" for k, v in versions.items())
            )

        if args.list:
            listed = [AD] if args.list == AD else list(scores)
            for name in listed:
                if name in scores and not name.endswith("(any code)"):
                    s_any = scores.get(f"{AD} (any code)") if name == AD else None
                    print_lists(scores[name], s_any, bugs, args.cases)

        if args.json:
            args.json.write_text(
                json.dumps(to_json(cases, bugs, scores, versions, errors), indent=2)
            )
            _tools.log(f"wrote {args.json}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def to_json(
    cases: list[Case],
    bugs: list[Bug],
    scores: dict[str, Score],
    versions: dict[str, str],
    errors: dict[str, str],
) -> dict[str, Any]:
    per_code: dict[str, int] = defaultdict(int)
    for b in bugs:
        per_code[b.code] += 1
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _tools.machine_summary(),
        "versions": versions,
        "cases": len(cases),
        "bug_free_cases": sum(1 for c in cases if not c.bugs),
        "bugs": len(bugs),
        "bugs_per_code": dict(sorted(per_code.items())),
        "asyncdoctor_errors": errors,
        "tools": {
            name: {
                "bugs_found": s.found,
                "recall": s.recall,
                "findings": s.findings,
                "correct": s.correct,
                "precision": s.precision,
                "f1": s.f1,
                "found_per_code": dict(sorted(s.found_by_code.items())),
                **(
                    {
                        "findings_per_code": dict(sorted(s.findings_by_code.items())),
                        "correct_per_code": dict(sorted(s.correct_by_code.items())),
                    }
                    if name == AD
                    else {}
                ),
                "misses": [f"{b.where()} {b.code}" for b in s.misses],
                "false_alarms": [f.render() for f in s.false_alarms],
            }
            for name, s in scores.items()
        },
    }


if __name__ == "__main__":
    sys.exit(main())
