"""One error for an optional dependency that is not installed, and the checks that raise it.

The bench and tune commands drive optional packages (aiohttp, httpx, uvloop,
asyncpg, matplotlib).  :func:`is_installed` answers without importing the
package; :func:`ensure_installed` raises :class:`MissingDependency`, whose
message is the one line the command line prints.

The environment variable ``ASYNCDOCTOR_PRETEND_MISSING`` (a comma-separated
list of package names) makes those packages look absent, in this process and
in the worker processes it starts: that is how the tests, and a user who wants
to see what a machine without them would report, check the "not installed"
paths on a machine that has everything.
"""

from __future__ import annotations

import importlib.util
import os

__all__ = ["PRETEND_MISSING_ENV", "MissingDependency", "ensure_installed", "is_installed"]

PRETEND_MISSING_ENV = "ASYNCDOCTOR_PRETEND_MISSING"


class MissingDependency(ImportError):
    """An optional package is not installed.

    The message is one line that names the package and the extra that installs it, e.g.
    ``httpx is not installed; pip install 'asyncdoctor[bench]'``.  The command line prints
    it as a usage error (exit code 2).
    """

    def __init__(self, package: str, extra: str = "bench") -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is not installed; pip install 'asyncdoctor[{extra}]'")


def _pretended_missing() -> frozenset[str]:
    names = os.environ.get(PRETEND_MISSING_ENV, "")
    return frozenset(name.strip() for name in names.split(",") if name.strip())


def is_installed(package: str) -> bool:
    """Whether ``package`` (an import name such as ``"aiohttp"``) can be imported.

    Nothing is imported; the answer comes from the import system's finders.
    """
    if package in _pretended_missing():
        return False
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def ensure_installed(package: str, *, extra: str = "bench") -> None:
    """Raise :class:`MissingDependency` (naming ``extra``) unless ``package`` is installed."""
    if not is_installed(package):
        raise MissingDependency(package, extra)
