"""The ``asyncdoctor`` command line: thin, it only renders what the engines return."""

from ._main import main as main

__all__ = ["main"]
