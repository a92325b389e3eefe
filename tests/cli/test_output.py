"""Every output format, on hand-built results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asyncdoctor.check._models import CheckResult, FileError
from asyncdoctor.cli._render import (
    display_path,
    render_github,
    render_json,
    render_sarif,
    render_statistics,
    render_text,
    summary_line,
)

from .conftest import RULES, finding

ROOT = Path("/proj")


def result(*findings: object, errors: tuple[FileError, ...] = (), files: int = 10) -> CheckResult:
    return CheckResult(
        findings=tuple(findings),  # type: ignore[arg-type]
        errors=errors,
        files_checked=files,
        lines_checked=100,
    )


SAMPLE = result(
    finding("/proj/src/b.py", 7, 5),
    finding("/proj/src/a.py", 3, 9, chain=("helper", "time.sleep")),
    finding(
        "/proj/src/a.py",
        1,
        1,
        code="ADC201",
        name="unawaited-coroutine",
        category="coroutines",
        message="coroutine `fetch()` is never awaited",
    ),
    errors=(FileError("/proj/bad.py", "syntax", "invalid syntax", 2, 4),),
)


# --- paths --------------------------------------------------------------------------------------


def test_display_path() -> None:
    assert display_path("/proj/src/a.py", "/proj") == "src/a.py"
    assert display_path("/proj/src/a.py", "/proj/") == "src/a.py"
    assert display_path("/elsewhere/a.py", "/proj") == "/elsewhere/a.py"
    assert display_path("/projector/a.py", "/proj") == "/projector/a.py"
    assert display_path("rel/a.py", "/proj") == "rel/a.py"


# --- text ---------------------------------------------------------------------------------------


def test_text_is_one_sorted_line_per_finding_then_errors() -> None:
    assert render_text(SAMPLE, cwd=ROOT).splitlines() == [
        "src/a.py:1:1: ADC201 coroutine `fetch()` is never awaited",
        "src/a.py:3:9: ADC101 `time.sleep` blocks the event loop",
        "src/b.py:7:5: ADC101 `time.sleep` blocks the event loop",
        "bad.py:2:4: error: syntax error: invalid syntax",
    ]


def test_text_outside_the_current_directory_keeps_absolute_paths() -> None:
    assert render_text(SAMPLE, cwd="/other").splitlines()[0].startswith("/proj/src/a.py:1:1: ")


def test_text_error_kinds_and_missing_positions() -> None:
    errors = (
        FileError("/proj/x.py", "unreadable", "cannot decode: invalid start byte", 1, None),
        FileError("/proj/y.py", "unreadable", "cannot read: Permission denied"),
    )
    assert render_text(result(errors=errors), cwd=ROOT).splitlines() == [
        "x.py:1:1: error: cannot decode: invalid start byte",
        "y.py: error: cannot read: Permission denied",
    ]


def test_text_in_colour() -> None:
    line = render_text(result(finding("/proj/a.py", 2, 3)), cwd=ROOT, color=True).splitlines()[0]
    assert (
        line == "\x1b[1ma.py\x1b[0m:2:3: \x1b[1;31mADC101\x1b[0m `time.sleep` blocks the event loop"
    )
    assert "\x1b[" not in render_text(result(finding("/proj/a.py")), cwd=ROOT, color=False)


def test_show_source_underlines_the_finding(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("import time\nasync def f():\n    time.sleep(1)\n", encoding="utf-8")
    shown = render_text(
        result(finding(str(source), 3, 5, end_column=18)), cwd=tmp_path, show_source=True
    )
    assert shown.splitlines() == [
        "m.py:3:5: ADC101 `time.sleep` blocks the event loop",
        "  |",
        "3 |     time.sleep(1)",
        "  |     ^^^^^^^^^^^^^",
        "",
    ]


def test_show_source_with_an_unreadable_file_shows_just_the_line() -> None:
    shown = render_text(result(finding("/nonexistent/m.py", 3, 5)), cwd=ROOT, show_source=True)
    assert shown == "/nonexistent/m.py:3:5: ADC101 `time.sleep` blocks the event loop\n"


# --- summary and statistics ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checked", "expected"),
    [
        (result(files=120), "All checks passed (120 files checked)."),
        (result(files=1), "All checks passed (1 file checked)."),
        (
            result(finding("/a.py"), finding("/a.py", 2), finding("/b.py"), files=120),
            "Found 3 problems in 2 files (120 files checked).",
        ),
        (result(finding("/a.py"), files=1), "Found 1 problem in 1 file (1 file checked)."),
        (SAMPLE, "Found 3 problems in 2 files; 1 file could not be checked (10 files checked)."),
        (
            result(errors=SAMPLE.errors, files=3),
            "No problems found; 1 file could not be checked (3 files checked).",
        ),
        (
            CheckResult(
                findings=(), errors=(), files_checked=5, lines_checked=9, files_from_cache=4
            ),
            "All checks passed (5 files checked, 4 from cache).",
        ),
    ],
)
def test_summary_line(checked: CheckResult, expected: str) -> None:
    assert summary_line(checked) == expected


def test_statistics() -> None:
    many = result(*(finding(f"/f{i}.py") for i in range(12)), *SAMPLE.findings)
    assert render_statistics(many).splitlines() == [
        "14  ADC101  blocking-call",
        " 1  ADC201  unawaited-coroutine",
    ]
    assert json.loads(render_statistics(many, as_json=True)) == [
        {"code": "ADC101", "name": "blocking-call", "count": 14},
        {"code": "ADC201", "name": "unawaited-coroutine", "count": 1},
    ]
    assert render_statistics(result()) == ""


# --- JSON ---------------------------------------------------------------------------------------


def test_json() -> None:
    data = json.loads(render_json(SAMPLE, cwd=ROOT))
    assert [item["line"] for item in data] == [1, 3, 7, 2]
    assert data[1] == {
        "path": "src/a.py",
        "line": 3,
        "column": 9,
        "end_line": 3,
        "end_column": 22,
        "code": "ADC101",
        "name": "blocking-call",
        "category": "blocking",
        "message": "`time.sleep` blocks the event loop",
        "chain": ["helper", "time.sleep"],
        "sites": [],
        "preview": False,
    }
    # the file that could not be checked comes last, with no code (as in ruff) and a kind
    assert data[3] == {
        "path": "bad.py", "line": 2, "column": 4, "code": None, "kind": "syntax",
        "message": "syntax error: invalid syntax",
    }
    assert json.loads(render_json(result(), cwd=ROOT)) == []


def test_json_every_kind_of_file_error() -> None:
    errors = (
        FileError("/proj/a.py", "syntax", "invalid syntax", 3, None),
        FileError("/proj/b.py", "newer-python", "uses Python 3.14 syntax (a t-string)", 2, 5),
        FileError("/proj/c.py", "unreadable", "cannot read: Permission denied"),
        FileError("/proj/d.py", "internal", "RuntimeError: boom"),
    )
    data = json.loads(render_json(result(errors=errors), cwd=ROOT))
    assert [(d["path"], d["line"], d["column"], d["kind"], d["message"]) for d in data] == [
        ("a.py", 3, 1, "syntax", "syntax error: invalid syntax"),
        ("b.py", 2, 5, "newer-python", "uses Python 3.14 syntax (a t-string)"),
        ("c.py", None, None, "unreadable", "cannot read: Permission denied"),
        ("d.py", None, None, "internal", "internal error: RuntimeError: boom"),
    ]
    assert all(d["code"] is None for d in data)


# --- SARIF --------------------------------------------------------------------------------------


def sarif(checked: CheckResult) -> Any:
    log = json.loads(render_sarif(checked, rules=RULES, root=ROOT))
    assert isinstance(log, dict)
    return log


def test_sarif_log_shape() -> None:
    log = sarif(SAMPLE)
    assert log["version"] == "2.1.0"
    assert "sarif" in str(log["$schema"])
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "asyncdoctor"
    assert driver["version"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///proj/"
    assert [rule["id"] for rule in driver["rules"]] == [info.code for info in RULES]
    for rule, info in zip(driver["rules"], RULES, strict=True):
        assert rule["name"] == info.name
        assert rule["shortDescription"]["text"] == info.summary
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["help"]["markdown"]
        assert rule["properties"]["tags"] == [info.category]
    assert driver["rules"][0]["fullDescription"]["text"] == "Finds blocking calls."
    assert driver["rules"][3]["help"]["markdown"] == RULES[3].summary


def test_sarif_results() -> None:
    run = sarif(SAMPLE)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 3
    for item in results:
        assert item["level"] == "warning"
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["message"]["text"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = location["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) > (
            region["startLine"],
            region["startColumn"],
        )
    second = results[1]
    assert second["ruleId"] == "ADC101"
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/a.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 9, "endLine": 3, "endColumn": 22},
    }
    assert second["properties"] == {"chain": ["helper", "time.sleep"]}


def test_sarif_notifications_for_unreadable_files() -> None:
    (invocation,) = sarif(SAMPLE)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "syntax error: invalid syntax"
    assert note["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "bad.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 4},
    }


def test_sarif_edge_cases() -> None:
    odd = result(
        finding("/elsewhere/x.py"),
        finding("/proj/dir with space/y.py", 4, 6, end_line=4, end_column=6),
        finding("/proj/z.py", code="ADC999", name="new-rule", message="new"),
    )
    results = sarif(odd)["runs"][0]["results"]
    outside = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert outside == {"uri": "file:///elsewhere/x.py"}
    spaced = results[1]["locations"][0]["physicalLocation"]
    assert spaced["artifactLocation"]["uri"] == "dir%20with%20space/y.py"
    assert spaced["region"]["endColumn"] == 7  # an empty range is widened to one character
    driver = sarif(odd)["runs"][0]["tool"]["driver"]
    assert driver["rules"][results[2]["ruleIndex"]]["id"] == "ADC999"


# --- GitHub annotations -------------------------------------------------------------------------


def test_github_annotations() -> None:
    lines = render_github(SAMPLE, root=ROOT).splitlines()
    assert lines == [
        "::warning file=src/a.py,line=1,col=1,endLine=1,endColumn=14,"
        "title=ADC201 (unawaited-coroutine)::coroutine `fetch()` is never awaited",
        "::warning file=src/a.py,line=3,col=9,endLine=3,endColumn=22,"
        "title=ADC101 (blocking-call)::`time.sleep` blocks the event loop",
        "::warning file=src/b.py,line=7,col=5,endLine=7,endColumn=18,"
        "title=ADC101 (blocking-call)::`time.sleep` blocks the event loop",
        "::error file=bad.py,line=2,col=4::syntax error: invalid syntax",
    ]


def test_github_escaping() -> None:
    tricky = result(finding("/proj/a,b:c%.py", message="100% sure:\r\nline two, really"))
    (line,) = render_github(tricky, root=ROOT).splitlines()
    assert line.startswith("::warning file=a%2Cb%3Ac%25.py,line=1,")
    assert line.endswith("::100%25 sure:%0D%0Aline two, really")


# --- preview findings and grouped causes ---------------------------------------------------------


GROUPED = result(
    finding("/proj/src/util.py", 5, 5, sites=("src/a.py:9: load()", "src/b.py:3: load()")),
    finding("/proj/src/cli.py", 2, 5, preview=True),
)


def test_preview_findings_are_tagged_in_text() -> None:
    lines = render_text(GROUPED, cwd=ROOT).splitlines()
    assert lines[0].startswith("src/cli.py:2:5: ADC101 [preview] ")
    assert "[preview]" not in lines[1]


def test_json_has_sites_and_preview() -> None:
    data = json.loads(render_json(GROUPED, cwd=ROOT))
    assert data[0]["preview"] is True and data[0]["sites"] == []
    assert data[1]["preview"] is False
    assert data[1]["sites"] == ["src/a.py:9: load()", "src/b.py:3: load()"]


def test_sarif_properties_carry_sites_and_preview() -> None:
    results = sarif(GROUPED)["runs"][0]["results"]
    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in results}
    assert by_line[2]["properties"] == {"preview": True}
    assert by_line[5]["properties"] == {"sites": ["src/a.py:9: load()", "src/b.py:3: load()"]}
