"""What a rule is, and the registry that collects them.

A rule is one small module holding one :class:`Rule` subclass decorated
with :func:`register`.  Its class attributes say what it is (``code``,
``name``, ``category``, ``summary``) and its docstring, in ruff's sections
(*What it does*, *Why is this bad?*, *Example*, *Use instead*, *Fix
safety*), is what ``asyncdoctor rule CODE`` prints and what the docs page is
generated from.

Rules hook into the two stages of the checker:

* :meth:`Rule.check_function` runs in the per-file stage (in a worker
  process, cached with the file's summary) on every function of the file;
  it sees the function's AST and the file's name resolution.
* :meth:`Rule.check_project` runs once the project index is built and sees
  every file's summary and the facts propagated between them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from .._catalog import RULE_CATALOG
from .._models import RuleInfo

if TYPE_CHECKING:
    from .._analysis import FunctionContext, Report
    from .._index import ProjectIndex, ProjectReport

__all__ = ["CATEGORIES", "Rule", "register", "registered_rules"]

#: Every category a rule may have, with a one-line description.
CATEGORIES: dict[str, str] = {
    "blocking": "calls that block the event loop",
    "coroutines": "coroutines that are created but never run",
    "tasks": "tasks whose lifetime or purpose is wrong",
    "resources": "clients, connections and files that are leaked or misused",
    "concurrency": "concurrency that is missing, unbounded or done by polling",
    "cancellation": "cancellation that is swallowed",
}

_REGISTRY: dict[str, type[Rule]] = {}


class Rule:
    """Base class of every rule; subclasses override one or both hooks."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]
    summary: ClassVar[str]
    #: Whether :meth:`check_function` is also called on plain ``def`` functions
    #: (and once on the module body, as a pseudo-function).
    sync_functions: ClassVar[bool] = False

    def check_function(self, fn: FunctionContext) -> Iterable[Report]:
        """Report problems in one function (per-file stage)."""
        return ()

    def check_project(self, index: ProjectIndex) -> Iterable[ProjectReport]:
        """Report problems that need the whole project (index stage)."""
        return ()

    @classmethod
    def info(cls) -> RuleInfo:
        doc = inspect.cleandoc(cls.__doc__ or "")
        return RuleInfo(
            code=cls.code, name=cls.name, category=cls.category, summary=cls.summary, doc=doc
        )


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the registry.

    Codes must be unique, and each rule must have its line in
    :data:`~asyncdoctor.check._catalog.RULE_CATALOG` (code, name, category,
    module), which selection reads without loading the rules.
    """
    if cls.category not in CATEGORIES:
        raise ValueError(f"{cls.__name__}: unknown category {cls.category!r}")
    if cls.code in _REGISTRY:
        raise ValueError(f"duplicate rule code {cls.code}")
    module = cls.__module__.rpartition(".")[2]
    if (cls.code, cls.name, cls.category, module) not in RULE_CATALOG:
        raise ValueError(
            f"{cls.__name__}: add {(cls.code, cls.name, cls.category, module)!r} "
            "to RULE_CATALOG in asyncdoctor/check/_catalog.py"
        )
    _REGISTRY[cls.code] = cls
    return cls


def registered_rules() -> Iterator[type[Rule]]:
    for code in sorted(_REGISTRY):
        yield _REGISTRY[code]
