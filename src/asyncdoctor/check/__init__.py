"""``asyncdoctor check``: the static checker.

>>> from asyncdoctor.check import check_source
>>> [f.code for f in check_source("import time\\nasync def f():\\n    time.sleep(1)\\n")]
['ADC101']

The engine returns plain frozen dataclasses (:class:`Finding`,
:class:`FileError`, :class:`CheckResult`); the command line and the output
formats only render them.

The names below are imported on first use (PEP 562), so that importing one
module of the checker (the command line reads its configuration first) does
not load the analysis and every rule.
"""

TYPE_CHECKING = False  # not `from typing import ...`: typing costs start-up time
if TYPE_CHECKING:
    from ._config import Config as Config
    from ._config import ConfigError as ConfigError
    from ._config import load_config as load_config
    from ._discovery import PathError as PathError
    from ._discovery import discover_files as discover_files
    from ._engine import check_paths as check_paths
    from ._engine import check_source as check_source
    from ._models import CheckResult as CheckResult
    from ._models import FileError as FileError
    from ._models import Finding as Finding
    from ._models import RuleInfo as RuleInfo
    from .rules import all_rules as all_rules
    from .rules import get_rule as get_rule

__all__ = [
    "CheckResult",
    "Config",
    "ConfigError",
    "FileError",
    "Finding",
    "PathError",
    "RuleInfo",
    "all_rules",
    "check_paths",
    "check_source",
    "discover_files",
    "get_rule",
    "load_config",
]

#: public name -> the module that defines it
_HOMES = {
    "CheckResult": "._models",
    "Config": "._config",
    "ConfigError": "._config",
    "FileError": "._models",
    "Finding": "._models",
    "PathError": "._discovery",
    "RuleInfo": "._models",
    "all_rules": ".rules",
    "check_paths": "._engine",
    "check_source": "._engine",
    "discover_files": "._discovery",
    "get_rule": ".rules",
    "load_config": "._config",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
