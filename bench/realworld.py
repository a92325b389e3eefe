"""Precision on real code: is every default finding one a maintainer would act on?

The yardstick is the set of real asyncio applications and libraries pinned in
``bench/corpus.py`` (``REALWORLD``: vllm, litellm, mitmproxy, esphome,
jupyter-server, textual, nicegui, chainlit, dask distributed, rasa, twitchio,
telethon, pyrogram, faststream, kopf, pyatv, hikari, nats-py), fetched from PyPI
at pinned versions into ``bench/_corpus/``.  None of them was used to tune the
checker before this benchmark existed; the projects kept aside for judging the
checker (see ``bench/realworld.md``) are not in it.

For each project the script runs ``asyncdoctor check --format json --no-cache``
on its import package, with the default settings (no ``--preview``), and looks
every finding up in ``bench/realworld/verdicts.tsv``, where a person (or a
helper) who read the code recorded, per finding, one of

* ``TRUE``: a real problem its maintainer would want to know about and fix;
* ``DEBATABLE``: technically right, but a maintainer would shrug;
* ``FALSE``: wrong,

with a one-line reason.  It prints the findings per project and rule, and the
precision (TRUE / judged) per rule and overall.  Findings with no verdict yet are
counted as unjudged and listed with ``--unjudged`` (with the source line), which
is how new verdicts get written.

The verdict file is tab-separated: ``project  path  line  code  verdict  reason``,
``path`` relative to the project's sdist folder (``vllm/entrypoints/api.py``).

Run it (use Python 3.12 or newer: esphome and mitmproxy use 3.12 syntax)::

    python bench/realworld.py                          # the table
    python bench/realworld.py --unjudged               # + every finding without a verdict
    python bench/realworld.py litellm vllm --python /path/to/python
    python bench/realworld.py --asyncdoctor-args "--preview"   # what preview adds
    python bench/realworld.py --set fresh              # the second set, judged fresh
    python bench/realworld.py --set fresh2             # the third set, judged fresh
    python bench/realworld.py --set fresh3             # the fourth set, judged fresh
    python bench/realworld.py --set fresh4             # the fifth, judged after that tuning
    python bench/realworld.py --set fresh5             # the sixth, judged before tuning on it

``--set fresh`` runs ``corpus.REALWORLD_FRESH`` (open-webui, letta, khoj,
crewai, semantic-kernel, opsdroid, jupyterhub, mem0, freqtrade, maubot) with
``bench/realworld/verdicts-fresh.tsv``: those findings were judged by helpers
who had not seen the checker's output on these projects, once the checker had
been tuned on the first set, so that set's precision is the one to expect on
code the checker has never met.

``--set fresh2`` runs ``corpus.REALWORLD_FRESH2`` (gradio, browser-use,
pipecat, llama-index-core, python-telegram-bot, gns3-server, zigpy,
livekit-agents, slack-bolt, mcp) with ``bench/realworld/verdicts-fresh2.tsv``,
judged the same way once the checker had been tuned on both sets before it;
``--set fresh3`` runs ``corpus.REALWORLD_FRESH3`` (reflex, openhands-ai, bentoml,
datasette, appdaemon, metagpt, autogen-core, nonebot2, red-discordbot, xknx,
pymodbus, quart) with ``bench/realworld/verdicts-fresh3.tsv``, judged after the
three sets before it.

A finding that covers several places (its ``sites``: one cause reached from
several async functions, or the calls one function makes on one library's
objects) takes the best of their verdicts.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import linecache
import shlex
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import corpus

VERDICTS = Path(__file__).resolve().parent / "realworld" / "verdicts.tsv"
VERDICTS_FRESH = VERDICTS.with_name("verdicts-fresh.tsv")
VERDICTS_FRESH2 = VERDICTS.with_name("verdicts-fresh2.tsv")
VERDICTS_FRESH3 = VERDICTS.with_name("verdicts-fresh3.tsv")
VERDICTS_FRESH4 = VERDICTS.with_name("verdicts-fresh4.tsv")
VERDICTS_FRESH5 = VERDICTS.with_name("verdicts-fresh5.tsv")
SETS = {
    "first": (corpus.REALWORLD, VERDICTS),
    "fresh": (corpus.REALWORLD_FRESH, VERDICTS_FRESH),
    "fresh2": (corpus.REALWORLD_FRESH2, VERDICTS_FRESH2),
    "fresh3": (corpus.REALWORLD_FRESH3, VERDICTS_FRESH3),
    "fresh4": (corpus.REALWORLD_FRESH4, VERDICTS_FRESH4),
    "fresh5": (corpus.REALWORLD_FRESH5, VERDICTS_FRESH5),
}
KINDS = ("TRUE", "DEBATABLE", "FALSE")


@dataclass(frozen=True)
class Finding:
    project: str
    path: str  # relative to the project's folder in bench/_corpus
    line: int
    code: str
    message: str
    # The places a finding of one cause covers (``sites`` in the JSON output): the direct
    # calls of one library in one function, or the call sites of a blocking helper.
    sites: tuple[tuple[str, int], ...] = ()


def verdict_of(f: Finding, verdicts: dict[tuple[str, str, int, str], tuple[str, str]]) -> tuple[str, str]:
    """A finding's verdict: that of its line, or for a finding that covers several judged
    places, the best of theirs (one TRUE place makes the finding worth acting on)."""
    own = verdicts.get((f.project, f.path, f.line, f.code))
    covered = [v for where in f.sites if (v := verdicts.get((f.project, *where, f.code))) is not None]
    if not covered:
        return own or ("unjudged", "")
    judged = [own, *covered] if own is not None else covered
    best = min(judged, key=lambda v: KINDS.index(v[0]))
    note = f"(covers {len(f.sites)} places) "
    return best[0], note + best[1]


def load_verdicts(path: Path = VERDICTS) -> dict[tuple[str, str, int, str], tuple[str, str]]:
    verdicts: dict[tuple[str, str, int, str], tuple[str, str]] = {}
    if not path.exists():
        return verdicts
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.reader(f, delimiter="\t"), start=1):
            if not row or row[0].startswith("#") or row[0] == "project":
                continue
            if len(row) < 6 or row[4] not in KINDS:
                raise SystemExit(f"{path}:{n}: expected 6 tab-separated fields with a verdict "
                                 f"in {KINDS}, got {row!r}")
            project, rel, line, code, verdict, reason = row[:6]
            verdicts[(project, rel, int(line), code)] = (verdict, reason)
    return verdicts


def run_project(name: str, python: str, extra: list[str]) -> tuple[list[Finding], list[str]]:
    root = corpus.ensure(name)
    package = corpus.package_dir(name)
    cmd = [python, "-m", "asyncdoctor", "check", "--format", "json", "--no-cache",
           "--exit-zero", *extra, str(package)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root, check=False)
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"{name}: asyncdoctor failed ({proc.returncode}):\n{proc.stderr}")
    data = json.loads(proc.stdout)
    findings: list[Finding] = []
    errors: list[str] = []
    for item in data:
        path = Path(item["path"])
        rel = (root / path if not path.is_absolute() else path).resolve().relative_to(root.resolve())
        if item.get("code") is None:
            errors.append(f"{rel}: {item.get('message')}")
            continue
        sites = []
        for site in item.get("sites") or ():
            where, _, line = str(site).partition(": ")[0].rpartition(":")
            if line.isdigit():
                site_path = Path(where)
                site_path = (root / site_path if not site_path.is_absolute() else site_path).resolve()
                try:
                    sites.append((site_path.relative_to(root.resolve()).as_posix(), int(line)))
                except ValueError:
                    continue
        findings.append(Finding(name, rel.as_posix(), item["line"], item["code"], item["message"], tuple(sites)))
    return findings, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="projects (default: all of the set)")
    ap.add_argument("--set", choices=tuple(SETS), default="first",
                    help="corpus.REALWORLD (first), REALWORLD_FRESH (fresh), REALWORLD_FRESH2 (fresh2), "
                         "REALWORLD_FRESH3 (fresh3), REALWORLD_FRESH4 (fresh4) or REALWORLD_FRESH5 (fresh5)")
    ap.add_argument("--python", default=sys.executable, help="interpreter with asyncdoctor")
    ap.add_argument("--asyncdoctor-args", default="", help="extra arguments for check")
    ap.add_argument("--unjudged", action="store_true", help="list findings without a verdict")
    ap.add_argument("--list", action="store_true", help="list every finding with its verdict")
    ap.add_argument("--json", type=Path, help="write the findings and verdicts here")
    args = ap.parse_args(argv)
    projects, verdict_file = SETS[args.set]
    names = args.names or list(projects)
    unknown = [n for n in names if n not in projects]
    if unknown:
        ap.error(f"unknown project(s): {', '.join(unknown)}")
    extra = shlex.split(args.asyncdoctor_args)
    verdicts = load_verdicts(verdict_file)

    results: dict[str, tuple[list[Finding], list[str]]] = {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = pool.map(lambda n: run_project(n, args.python, extra), names)
        for name, result in zip(names, runs, strict=True):
            results[name] = result

    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    per_project: dict[str, Counter[str]] = defaultdict(Counter)
    rows: list[dict[str, object]] = []
    for name in names:
        findings, _errors = results[name]
        for f in findings:
            verdict, reason = verdict_of(f, verdicts)
            per_rule[f.code][verdict] += 1
            per_project[name][verdict] += 1
            rows.append({**f.__dict__, "verdict": verdict, "reason": reason})

    lines_total = 0
    print("# asyncdoctor on real code: default findings and their verdicts\n")
    print("| project | version | lines | findings | TRUE | DEBATABLE | FALSE | unjudged |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        _files, lines = corpus.count_lines(corpus.package_dir(name))
        lines_total += lines
        c = per_project[name]
        print(f"| {name} | {projects[name].version} | {lines:,} | {sum(c.values())} | "
              f"{c['TRUE']} | {c['DEBATABLE']} | {c['FALSE']} | {c['unjudged']} |")
    print(f"\n{len(names)} projects, {lines_total:,} lines.\n")
    print("| rule | findings | TRUE | DEBATABLE | FALSE | unjudged | precision (TRUE / judged) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    total: Counter[str] = Counter()
    for code in sorted(per_rule):
        c = per_rule[code]
        total.update(c)
        print(_rule_row(code, c))
    print(_rule_row("all", total))
    errors = [e for name in names for e in results[name][1]]
    if errors:
        print(f"\n{len(errors)} file(s) could not be checked by this interpreter, for example: "
              f"{errors[0]}")

    if args.unjudged or args.list:
        print()
        for row in rows:
            if args.list or row["verdict"] == "unjudged":
                root = corpus.corpus_path(str(row["project"]))
                source = linecache.getline(str(root / str(row["path"])), int(str(row["line"]))).strip()
                print(f"{row['project']}\t{row['path']}\t{row['line']}\t{row['code']}\t"
                      f"{row['verdict']}\t{row['reason'] or row['message']}\t| {source}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def _rule_row(code: str, c: Counter[str]) -> str:
    judged = c["TRUE"] + c["DEBATABLE"] + c["FALSE"]
    precision = f"{100 * c['TRUE'] / judged:.0f}%" if judged else "—"
    return (f"| {code} | {sum(c.values())} | {c['TRUE']} | {c['DEBATABLE']} | {c['FALSE']} | "
            f"{c['unjudged']} | {precision} |")


if __name__ == "__main__":
    sys.exit(main())
