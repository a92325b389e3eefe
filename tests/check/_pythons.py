"""The other Python interpreters installed here, to check syntax against the real parsers.

Found on ``PATH`` (``python3.12``...), in ``ASYNCDOCTOR_TEST_PYTHONS`` (paths
separated by ``os.pathsep``) and in two usual places (Debian's
``/opt/debian-python/*/venv`` and pyenv's versions).  Each candidate is run
once to learn its version; one that does not run is left out.  They only
need their standard library: asyncdoctor's source is put on their path.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

Version = tuple[int, int]


@functools.cache
def installed_pythons() -> dict[Version, str]:
    """Version -> interpreter, for every CPython 3.11+ found other than the running one."""
    candidates = [c for c in os.environ.get("ASYNCDOCTOR_TEST_PYTHONS", "").split(os.pathsep) if c]
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in range(11, 20)]
    candidates += sorted(glob.glob("/opt/debian-python/*/venv/bin/python"))
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    found: dict[Version, str] = {}
    running = sys.version_info[:2]
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        try:
            proc = subprocess.run(
                [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            continue
        parts = proc.stdout.split()
        if proc.returncode != 0 or len(parts) != 2:
            continue
        version = (int(parts[0]), int(parts[1]))
        if version >= (3, 11) and version != running:
            found.setdefault(version, candidate)
    return found


def run_python(python: str, script: str, payload: object) -> object:
    """Run ``script`` under ``python`` with asyncdoctor's source importable; JSON in and out."""
    proc = subprocess.run(
        [python, "-X", "utf8", "-c", script],
        input=json.dumps(payload), capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(SRC), "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


PARSE = """
import ast, json, sys, warnings
warnings.simplefilter("ignore")
out = []
for source, is_path in json.load(sys.stdin):
    code = open(source, "rb").read() if is_path else source
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        out.append("parse")
        continue
    try:
        compile(code, "<checked>", "exec", dont_inherit=True)
        out.append(None)
    except (SyntaxError, ValueError):
        out.append("compile")
print(json.dumps(out))
"""


def parse_errors(python: str, sources: list[str]) -> list[str | None]:
    """For each source: None if ``python`` compiles it, else ``"parse"`` or ``"compile"``.

    ``"compile"``: ``ast.parse`` accepts it and ``compile`` does not (an unknown
    ``__future__`` feature, a ``lazy import`` in a function...).
    """
    result = run_python(python, PARSE, [[source, False] for source in sources])
    assert isinstance(result, list)
    return result


def parse_file_errors(python: str, paths: list[str]) -> list[str | None]:
    """:func:`parse_errors` for files, read as bytes (their coding cookies count)."""
    result = run_python(python, PARSE, [[path, True] for path in paths])
    assert isinstance(result, list)
    return result
