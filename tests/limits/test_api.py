"""The public face of asyncdoctor.limits: complete, sorted, documented, standard library only."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import asyncdoctor.limits as limits

PACKAGE = Path(limits.__file__).parent


def test_all_is_sorted_and_complete() -> None:
    assert limits.__all__ == sorted(limits.__all__)
    public = {n for n in vars(limits) if n.isidentifier() and not n.startswith("_")}
    assert public == set(limits.__all__)


def test_every_public_name_is_documented() -> None:
    for name in limits.__all__:
        obj = getattr(limits, name)
        assert inspect.getdoc(obj), name


def test_only_the_standard_library_is_imported() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in stdlib, (path.name, name)
