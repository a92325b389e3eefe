"""Turning a :class:`CheckResult` into text: one function per output format.

Every renderer is a pure function returning the whole output as a string,
so that it can be written to stdout or a file and tested without either.
"""

from __future__ import annotations

import json
import linecache
import os
import re
import shlex
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from .._version import __version__
from ..check._models import CheckResult, FileError, Finding, RuleInfo

__all__ = [
    "display_path",
    "error_text",
    "render_github",
    "render_json",
    "render_sarif",
    "render_statistics",
    "render_text",
    "report_root",
    "summary_hints",
    "summary_line",
]

_Painter = Callable[[str, str], str]

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

#: How each kind of file error is introduced (the other messages speak for themselves).
_ERROR_KINDS = {"syntax": "syntax error: ", "internal": "internal error: "}

_BOLD = "\x1b[1m"
_RED = "\x1b[1;31m"
_CYAN = "\x1b[36m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def display_path(path: str, cwd: str | Path) -> str:
    """``path`` relative to ``cwd`` when it is under it, unchanged otherwise."""
    if not os.path.isabs(path):
        return path
    relative = _relative_posix(path, os.fspath(cwd))
    if relative is None:
        return path
    return relative.replace("/", os.sep) if os.sep != "/" else relative


# --- text ---------------------------------------------------------------------------------------


def render_text(
    result: CheckResult, *, cwd: str | Path, color: bool = False, show_source: bool = False
) -> str:
    """``path:line:col: CODE message``, one finding per line, then the unreadable files."""

    def paint(text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    lines: list[str] = []
    for finding in sorted(result.findings):
        where = paint(display_path(finding.path, cwd), _BOLD)
        code = paint(finding.code, _RED)
        tag = " [preview]" if finding.preview else ""
        lines.append(f"{where}:{finding.line}:{finding.column}: {code}{tag} {finding.message}")
        if show_source:
            lines.extend(_source_excerpt(finding, paint))
    for error in sorted(result.errors, key=_error_key):
        lines.append(_error_line(error, paint(display_path(error.path, cwd), _BOLD), paint))
    return "".join(f"{line}\n" for line in lines)


def _source_excerpt(finding: Finding, paint: _Painter) -> list[str]:
    source = linecache.getline(finding.path, finding.line).rstrip("\r\n")
    if not source:
        return []
    number = str(finding.line)
    gutter = " " * len(number)
    start = max(finding.column - 1, 0)
    if finding.end_line == finding.line and finding.end_column > finding.column:
        width = finding.end_column - finding.column
    else:
        width = max(len(source.rstrip()) - start, 1)
    caret_pad = "".join("\t" if char == "\t" else " " for char in source[:start])
    return [
        f"{gutter} {paint('|', _CYAN)}",
        f"{paint(number, _CYAN)} {paint('|', _CYAN)} {source}",
        f"{gutter} {paint('|', _CYAN)} {caret_pad}{paint('^' * width, _RED)}",
        "",
    ]


def error_text(error: FileError) -> str:
    """What went wrong with a file, in a few words: ``syntax error: invalid syntax``."""
    return f"{_ERROR_KINDS.get(error.kind, '')}{error.message}"


def _error_line(error: FileError, where: str, paint: _Painter) -> str:
    position = f":{error.line}:{error.column or 1}" if error.line is not None else ""
    return f"{where}{position}: {paint('error', _RED)}: {error_text(error)}"


def summary_line(result: CheckResult) -> str:
    """The one-line verdict printed on stderr after the findings."""
    checked = f"{_count(result.files_checked, 'file')} checked"
    if result.files_from_cache:
        checked += f", {result.files_from_cache} from cache"
    unreadable = ""
    if result.errors:
        failed = len({error.path for error in result.errors})
        unreadable = f"; {_count(failed, 'file')} could not be checked"
    if result.findings:
        files = len({finding.path for finding in result.findings})
        return (
            f"Found {_count(len(result.findings), 'problem')} in {_count(files, 'file')}"
            f"{unreadable} ({checked})."
        )
    if result.errors:
        return f"No problems found{unreadable} ({checked})."
    return f"All checks passed ({checked})."


def summary_hints(result: CheckResult, command: Sequence[str]) -> list[str]:
    """What to do about the files that could not be checked, one line each (maybe none).

    ``command`` is the command line that ran (``asyncdoctor check src``), for
    the hint that runs it with a newer Python.
    """
    hints = []
    needed: set[tuple[int, int]] = set()
    for error in result.errors:
        match = _NEEDS.match(error.message) if error.kind == "newer-python" else None
        if match is not None:
            needed.add((int(match[1]), int(match[2])))
    if needed:
        files = len({e.path for e in result.errors if e.kind == "newer-python"})
        major, minor = max(needed)
        version = f"{major}.{minor}"
        args = shlex.join(command[1:])
        hints.append(
            f"{_count(files, 'file')} {'uses' if files == 1 else 'use'} the syntax of a newer "
            f"Python: run asyncdoctor with Python {version} or newer, e.g. "
            f"`python{version} -m asyncdoctor {args}` or "
            f"`pipx run --python {version} asyncdoctor {args}`."
        )
    internal = {e.path for e in result.errors if e.kind == "internal"}
    if internal:
        hints.append(
            f"asyncdoctor failed on {_count(len(internal), 'file')} (an internal error is a bug "
            "in asyncdoctor: please report it with the message); the other files were checked."
        )
    return hints


_NEEDS = re.compile(r"uses Python (\d+)\.(\d+) syntax")


def render_statistics(result: CheckResult, *, as_json: bool = False) -> str:
    """How many findings each rule produced, most frequent first."""
    counts = Counter((finding.code, finding.name) for finding in result.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        data = [{"code": code, "name": name, "count": count} for (code, name), count in rows]
        return json.dumps(data, indent=2) + "\n"
    if not rows:
        return ""
    width = len(str(rows[0][1]))
    return "".join(f"{count:>{width}}  {code}  {name}\n" for (code, name), count in rows)


# --- JSON ---------------------------------------------------------------------------------------


def render_json(result: CheckResult, *, cwd: str | Path) -> str:
    """A JSON array: the findings, then the files that could not be checked.

    As in ruff's JSON, a file that could not be checked is an entry whose
    ``code`` is null; its ``kind`` says why (``syntax``, ``newer-python``,
    ``unreadable``, ``internal``) and its ``line`` and ``column`` are null
    when the error has no position.
    """
    data: list[dict[str, object]] = [
        {
            "path": display_path(finding.path, cwd),
            "line": finding.line,
            "column": finding.column,
            "end_line": finding.end_line,
            "end_column": finding.end_column,
            "code": finding.code,
            "name": finding.name,
            "category": finding.category,
            "message": finding.message,
            "chain": list(finding.chain),
            "sites": list(finding.sites),
            "preview": finding.preview,
        }
        for finding in sorted(result.findings)
    ]
    data.extend(
        {
            "path": display_path(error.path, cwd),
            "line": error.line,
            "column": (error.column or 1) if error.line is not None else None,
            "code": None,
            "kind": error.kind,
            "message": error_text(error),
        }
        for error in sorted(result.errors, key=_error_key)
    )
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- SARIF --------------------------------------------------------------------------------------


def render_sarif(result: CheckResult, *, rules: Sequence[RuleInfo], root: str | Path) -> str:
    """A SARIF 2.1.0 log that GitHub code scanning accepts.

    Locations are POSIX paths relative to ``root`` under the ``%SRCROOT%``
    base, whose absolute URI ``originalUriBaseIds`` gives; files outside it get
    an absolute ``file:`` URI.  GitHub code scanning wants paths relative to
    the repository: ``root`` should be its top (see :func:`report_root`).
    Files that could not be checked become tool execution notifications, each
    referring to a notification descriptor of its kind.
    """
    root_text = os.path.abspath(root)
    descriptors = list(rules)
    known = {info.code for info in descriptors}
    for finding in result.findings:  # a finding of a rule not in ``rules``: describe it anyway
        if finding.code not in known:
            known.add(finding.code)
            descriptors.append(
                RuleInfo(
                    code=finding.code,
                    name=finding.name,
                    category=finding.category,
                    summary=finding.message,
                    doc="",
                )
            )
    index = {info.code: position for position, info in enumerate(descriptors)}
    kinds = sorted({error.kind for error in result.errors})
    driver: dict[str, object] = {
        "name": "asyncdoctor",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_sarif_rule(info) for info in descriptors],
    }
    if kinds:
        driver["notifications"] = [_NOTIFICATIONS.get(kind, {"id": kind}) for kind in kinds]
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root_text).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [
            _sarif_result(finding, index[finding.code], root_text)
            for finding in sorted(result.findings)
        ],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    _sarif_notification(error, root_text, kinds.index(error.kind))
                    for error in sorted(result.errors, key=_error_key)
                ],
            }
        ],
    }
    log = {"$schema": _SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(info: RuleInfo) -> dict[str, object]:
    full = _first_paragraph(info.doc) or info.summary
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": full},
        "help": {"text": info.doc or info.summary, "markdown": info.doc or info.summary},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": [info.category]},
    }


def _sarif_result(finding: Finding, rule_index: int, root: str) -> dict[str, object]:
    end_line = max(finding.end_line, finding.line)
    end_column = finding.end_column
    if end_line == finding.line and end_column <= finding.column:
        end_column = finding.column + 1
    result: dict[str, object] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": "warning",
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path, root),
                    "region": {
                        "startLine": max(finding.line, 1),
                        "startColumn": max(finding.column, 1),
                        "endLine": max(end_line, 1),
                        "endColumn": max(end_column, 1),
                    },
                }
            }
        ],
    }
    properties: dict[str, object] = {}
    if finding.chain:
        properties["chain"] = list(finding.chain)
    if finding.sites:
        properties["sites"] = list(finding.sites)
    if finding.preview:
        properties["preview"] = True
    if properties:
        result["properties"] = properties
    return result


#: The notification descriptors (``tool.driver.notifications``) of the file errors.
_NOTIFICATIONS: dict[str, dict[str, object]] = {
    kind: {
        "id": kind,
        "shortDescription": {"text": text},
        "defaultConfiguration": {"level": "error"},
    }
    for kind, text in (
        ("internal", "asyncdoctor failed on this file (a bug: please report it)"),
        ("newer-python", "the file uses the syntax of a newer Python than the one that ran asyncdoctor"),
        ("syntax", "the file is not valid Python"),
        ("unreadable", "the file cannot be read or decoded"),
    )
}


def _sarif_notification(error: FileError, root: str, descriptor: int) -> dict[str, object]:
    location: dict[str, object] = {"artifactLocation": _artifact(error.path, root)}
    if error.line is not None:
        location["region"] = {
            "startLine": max(error.line, 1),
            "startColumn": max(error.column or 1, 1),
        }
    return {
        "level": "error",
        "message": {"text": error_text(error)},
        "descriptor": {"id": error.kind, "index": descriptor},
        "locations": [{"physicalLocation": location}],
    }


def _artifact(path: str, root: str) -> dict[str, str]:
    absolute = os.path.abspath(path)
    relative = _relative_posix(absolute, root)
    if relative is None:
        return {"uri": Path(absolute).as_uri()}
    return {"uri": _uri_escape(relative), "uriBaseId": "%SRCROOT%"}


def _uri_escape(relative: str) -> str:
    from urllib.parse import quote

    return quote(relative, safe="/")


def _first_paragraph(doc: str) -> str:
    paragraph: list[str] = []
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith(("#", "```")):
            if paragraph:
                break
            continue
        if not stripped:
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    return " ".join(paragraph)


# --- GitHub annotations -------------------------------------------------------------------------


def render_github(result: CheckResult, *, root: str | Path) -> str:
    """GitHub Actions workflow commands: one ``::warning`` per finding, ``::error`` per bad file.

    Paths are relative to ``root``, which should be the top of the repository
    (see :func:`report_root`): GitHub places annotations by repository path.
    """
    lines: list[str] = []
    for finding in sorted(result.findings):
        properties = {
            "file": _repository_path(finding.path, root),
            "line": str(finding.line),
            "col": str(finding.column),
            "endLine": str(finding.end_line),
            "endColumn": str(finding.end_column),
            "title": f"{finding.code} ({finding.name})",
        }
        lines.append(_workflow_command("warning", properties, finding.message))
    for error in sorted(result.errors, key=_error_key):
        properties = {"file": _repository_path(error.path, root)}
        if error.line is not None:
            properties["line"] = str(error.line)
            properties["col"] = str(error.column or 1)
        lines.append(_workflow_command("error", properties, error_text(error)))
    return "".join(f"{line}\n" for line in lines)


def _repository_path(path: str, root: str | Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators; absolute when outside it."""
    absolute = os.path.abspath(path)
    return _relative_posix(absolute, os.path.abspath(root)) or absolute


def report_root(paths: Sequence[str | Path], cwd: str | Path) -> Path:
    """What SARIF and GitHub paths are relative to: the repository holding ``paths``.

    That is the top of the git work tree holding the checked paths (their
    common directory), else the one holding ``cwd``, else ``cwd`` itself.
    """
    from ..check._discovery import repository_root

    try:
        common = os.path.commonpath([os.path.abspath(path) for path in paths]) if paths else cwd
    except ValueError:  # paths on different drives
        common = cwd
    return repository_root(common) or repository_root(cwd) or Path(os.path.abspath(cwd))


def _workflow_command(command: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{command} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- helpers ------------------------------------------------------------------------------------


def _error_key(error: FileError) -> tuple[str, int, int]:
    return (error.path, error.line or 0, error.column or 0)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _relative_posix(path: str, base: str) -> str | None:
    path = os.path.normpath(path)
    base = os.path.normpath(base)
    if path == base:
        return None
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    return relative.replace(os.sep, "/") if os.sep != "/" else relative
