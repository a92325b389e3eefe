"""``asyncdoctor trace``: the timeline of a running program, written now, as a file.

It asks the program's live socket (``asyncdoctor run --live`` with ``--trace``
or ``--timeline``, or ``DoctorOptions(live=True, timeline=True)``) for its
timeline so far, and writes a Chrome trace (``.json``, for Perfetto) or the
HTML page (``.html``).  The program goes on as before.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from ._errors import UsageError
from ._top import _pid

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    trace = commands.add_parser(
        "trace",
        help="write a running program's timeline now (Chrome trace or HTML)",
        description=(
            "Ask a program run with `asyncdoctor run --live --trace FILE` (or --timeline) for "
            "what its loops did lately and write it: a Chrome trace for Perfetto (.json) or the "
            "self-contained HTML page (.html). The program goes on as before."
        ),
        allow_abbrev=False,
    )
    trace.add_argument("pid", nargs="?", type=_pid, help="the program's process id (default: "
                       "the only program of yours running with --live)")
    trace.add_argument("--socket", metavar="PATH", help="the live socket to read (default: found by PID)")
    trace.add_argument("-o", "--output", metavar="FILE", help="where to write it: FILE.json (Chrome "
                       "trace) or FILE.html (default: asyncdoctor-trace-PID.json here)")
    trace.set_defaults(handler=_cmd_trace, command_parser=trace)


def _cmd_trace(args: argparse.Namespace) -> int:
    from ._top import _Ended, _Source

    output = args.output
    if output is not None and not output.endswith((".json", ".html")):
        raise UsageError(f"argument -o/--output: '{output}' must end with .json or .html")
    source = _Source(args.pid, args.socket, live_only=True)
    path = output or f"asyncdoctor-trace-{source.pid}.json"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"argument -o/--output: folder '{folder}' does not exist")
    html = path.endswith(".html")
    try:
        value = source.ask("timeline" if html else "trace", timeout=30.0)
    except _Ended as exc:
        raise UsageError(str(exc)) from None
    if (html and not isinstance(value, str)) or (not html and not isinstance(value, dict)):
        raise UsageError("the program's answer is not a timeline")
    with open(path, "w", encoding="utf-8") as f:
        if html:
            f.write(str(value))
        else:
            json.dump(value, f)
    print(f"asyncdoctor: wrote {path}")
    return 0
