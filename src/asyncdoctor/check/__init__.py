"""``asyncdoctor check``: the static checker.

>>> from asyncdoctor.check import check_source
>>> [f.code for f in check_source("import time\\nasync def f():\\n    time.sleep(1)\\n")]
['ADC101']

The engine returns plain frozen dataclasses (:class:`Finding`,
:class:`FileError`, :class:`CheckResult`); the command line and the output
formats only render them.
"""

from ._config import Config, ConfigError, load_config
from ._discovery import PathError, discover_files
from ._engine import check_paths, check_source
from ._models import CheckResult, FileError, Finding, RuleInfo
from .rules import all_rules, get_rule

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
