"""Registers the pytest plugin's configuration keys, and nothing else.

A second ``pytest11`` entry point (``asyncdoctor_ini``): with ``-p no:asyncdoctor`` the
plugin is off, but a configuration that sets ``asyncdoctor = true`` or the other keys must
not make pytest warn about unknown keys (under ``-W error`` that fails the run).
"""

from __future__ import annotations

import pytest

__all__ = ["pytest_addoption"]


def pytest_addoption(parser: pytest.Parser) -> None:
    from .pytest_plugin import add_ini_keys

    add_ini_keys(parser)
