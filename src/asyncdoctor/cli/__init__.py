"""The ``asyncdoctor`` command line: thin, it only renders what the engines return."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``asyncdoctor`` command with ``argv`` (``sys.argv[1:]`` by default)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:  # what argparse would print, without importing it
        from .._version import __version__

        print(f"asyncdoctor {__version__}")
        return 0
    if args[:1] == ["run"]:
        # The program run under the doctor should find as few of our modules imported as
        # possible (and start fast), so `run` skips the full parser and the checker's imports.
        from ._run import main as run_main

        return run_main(args[1:])
    from ._main import main as full_main

    return full_main(argv)
