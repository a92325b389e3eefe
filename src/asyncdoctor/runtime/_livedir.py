"""Where programs run with ``--live`` put their socket, so that ``asyncdoctor top`` finds them.

One folder per user, that only the user can enter: ``$XDG_RUNTIME_DIR/asyncdoctor``
when the session has a runtime folder of the user's own, else
``<tmp>/asyncdoctor-<uid>``; created ``0700`` and checked (owner, mode, not a
link) before every use, so that another user cannot plant a socket or read
one.  A program's socket is ``<folder>/<pid>.sock``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

__all__ = ["live_dir", "live_programs", "socket_path"]


def _base() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        try:
            info = os.stat(runtime)
        except OSError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() \
                and not info.st_mode & 0o077:
            return os.path.join(runtime, "asyncdoctor")
    return os.path.join(tempfile.gettempdir(), f"asyncdoctor-{os.geteuid()}")


def live_dir(*, create: bool = False) -> str:
    """The user's live folder; made (``0700``) when ``create``.  Raises ``PermissionError``
    when it exists but is not private to this user, ``FileNotFoundError`` when absent."""
    from ._live import check_private_folder

    folder = _base()
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
    check_private_folder(folder)
    if create:
        _sweep(folder)
    return folder


def _sweep(folder: str) -> None:
    """Remove the sockets of programs that have ended without removing theirs (killed)."""
    for name in os.listdir(folder):
        stem, dot, ext = name.partition(".")
        if not (dot and ext == "sock" and stem.isdigit()):
            continue
        try:
            os.kill(int(stem), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
        except (PermissionError, OverflowError):
            pass


def socket_path(pid: int, *, create: bool = False) -> str:
    """The socket of the program ``pid`` in the user's live folder."""
    return os.path.join(live_dir(create=create), f"{pid}.sock")


def live_programs() -> list[int]:
    """The process ids of the user's programs that serve a live socket now (stale ones skipped)."""
    try:
        folder = live_dir()
    except (OSError, PermissionError):
        return []
    pids = []
    for name in os.listdir(folder):
        stem, dot, ext = name.partition(".")
        if dot and ext == "sock" and stem.isdigit():
            pid = int(stem)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                pass
            pids.append(pid)
    return sorted(pids)
