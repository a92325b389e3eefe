"""The rules of ``asyncdoctor check``: one module per rule."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .._catalog import RULE_CATALOG
from .._models import RuleInfo
from ._base import CATEGORIES, Rule, register, registered_rules

# Every public module of this package holds one rule; importing it registers it.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
    importlib.import_module(f"{__name__}.{_module}")
_missing = sorted({entry[0] for entry in RULE_CATALOG} - {cls.code for cls in registered_rules()})
if _missing:
    raise ImportError(f"RULE_CATALOG lists rules that no module defines: {', '.join(_missing)}")

__all__ = ["CATEGORIES", "Rule", "all_rules", "get_rule", "register", "rule_instances"]


@cache
def rule_instances() -> tuple[Rule, ...]:
    """One instance of every registered rule, sorted by code."""
    return tuple(cls() for cls in registered_rules())


@cache
def all_rules() -> tuple[RuleInfo, ...]:
    """The description of every rule, sorted by code."""
    return tuple(cls.info() for cls in registered_rules())


def get_rule(key: str) -> RuleInfo | None:
    """Look a rule up by code (``ADC101``, any case) or name (``blocking-call``)."""
    wanted = key.strip()
    for info in all_rules():
        if info.code.lower() == wanted.lower() or info.name == wanted.lower():
            return info
    return None
