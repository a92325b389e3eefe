"""Following the processes a program starts: every Python child gets the doctor too.

``asyncdoctor run`` watches the program's own process, and with this module
every Python process the program starts, however it starts it:

* **A new interpreter** (``subprocess``, ``multiprocessing``'s *spawn* and
  *forkserver*, uvicorn's ``--workers``, ``python -m ...`` children):
  :func:`start_parent` makes a private run folder (``0700``) and puts three
  variables in the program's environment, which children inherit:
  ``ASYNCDOCTOR_RUN_DIR`` (the folder), ``ASYNCDOCTOR_OPTIONS`` (the doctor's
  options, JSON) and ``PYTHONPATH`` with asyncdoctor's bootstrap folder first.
  Each Python child imports the ``sitecustomize`` of that folder while it
  starts (``asyncdoctor/_bootstrap/sitecustomize.py``), which runs the
  child's own ``sitecustomize`` if it has one, then calls :func:`start_child`
  before the child's first line.  A child that is not Python, runs with
  ``-I``/``-E``/``-S``, or is a Python that imports asyncdoctor from another
  place (or not at all) runs unchanged and unwatched.  The variables stay in
  the environment, so grandchildren are followed too.
* **A fork** (gunicorn's workers, ``multiprocessing``'s *fork* start method,
  forkserver's children, ``os.fork``): the doctor's ``os.register_at_fork``
  hook (:meth:`Doctor._after_fork <asyncdoctor.runtime.Doctor>`) forgets what
  belongs to the parent and calls :meth:`Follower.after_fork`, which makes the
  child a worker.

Each worker marks itself in the folder when it starts (``worker-PID.start``)
and writes its report there when it ends (``worker-PID.json``, written to a
temporary name and renamed, so a reader never sees half of it): from
``atexit`` when the interpreter ends normally, and, in ``multiprocessing``'s
children, which end with ``os._exit``, from a ``multiprocessing.util.Finalize``
registered through ``multiprocessing.util.register_after_fork`` (both in
``multiprocessing.util`` since Python 2.6; a forked child's
``BaseProcess._bootstrap`` clears the finalizers, runs the after-fork
callbacks, the target, then ``util._exit_function()``: verified on 3.11, 3.12
and 3.13 by ``tests/runtime/test_workers.py``, which runs on 3.14 and 3.15 in
CI; a version where this no longer holds makes those children "did not
report", never a wrong report).  Whichever comes first
writes; the final report is written once per process.  A worker also leaves
its report so far each time one of its loops stops (at most once a second),
for workers that never reach their exit hooks: uvicorn's end by raising again
the ``SIGTERM`` that stopped them, once their loop is done.  A worker killed
by ``SIGKILL`` before any of this writes nothing: the parent's report says so
instead of pretending.
With ``--metrics`` each worker also serves its figures on ``worker-PID.sock``
(:mod:`._live`), which the parent's ``/metrics`` asks at each scrape.

The parent merges the workers' reports into its own (:mod:`._merge`) and
removes the folder at the end.  Helper processes of ``multiprocessing`` are
not workers: the resource tracker runs no program code and is not watched;
the forkserver process gets the doctor (its children inherit it by fork) but
writes no report of its own.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._live import LiveServer
    from ._models import RuntimeReport
    from ._options import DoctorOptions

__all__ = [
    "BOOTSTRAP",
    "ENV_DIR",
    "ENV_OPTIONS",
    "Follower",
    "collect_garbage",
    "start_child",
    "start_parent",
]

ENV_DIR = "ASYNCDOCTOR_RUN_DIR"
ENV_OPTIONS = "ASYNCDOCTOR_OPTIONS"
#: The folder whose ``sitecustomize.py`` installs the doctor in a child (first on its PYTHONPATH).
BOOTSTRAP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_bootstrap")

_PREFIX = "worker-"
# In ASYNCDOCTOR_OPTIONS, next to the doctor's options: whether workers serve live sockets.
_LIVE_KEY = "worker_sockets"
_STARTED = ".start"
_REPORT = ".json"
_SOCKET = ".sock"
# Finalizers with exit priority >= 0 run first, then children are joined, then the rest:
# a worker's report comes after the program's own finalizers.
_EXIT_PRIORITY = -100
# Signals whose default action ends the process (SIGKILL and SIGSTOP cannot be raised usefully).
_FATAL_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGABRT", "SIGALRM", "SIGUSR1", "SIGUSR2")
#: Seconds between two reports-so-far that a worker writes when its loops stop.
SNAPSHOT_INTERVAL = 1.0


def worker_file(run_dir: str, pid: int, suffix: str) -> str:
    """``run_dir/worker-PID.SUFFIX``."""
    return os.path.join(run_dir, f"{_PREFIX}{pid}{suffix}")


def worker_files(run_dir: str, suffix: str) -> dict[int, str]:
    """The workers that have a ``worker-PID.SUFFIX`` file in ``run_dir``: pid -> path."""
    found: dict[int, str] = {}
    try:
        names = os.listdir(run_dir)
    except OSError:
        return found
    for name in names:
        if name.startswith(_PREFIX) and name.endswith(suffix):
            number = name[len(_PREFIX) : -len(suffix)]
            if number.isdigit():
                found[int(number)] = os.path.join(run_dir, name)
    return found


class Follower:
    """This process's part in a followed run.

    ``role`` is ``"parent"`` (the process ``asyncdoctor run`` started: it merges
    and cleans up), ``"worker"`` (a followed child: it reports to the run
    folder) or ``"helper"`` (multiprocessing's forkserver: it reports nothing;
    its forked children are workers).
    """

    def __init__(self, doctor: Doctor, run_dir: str, *, role: str, live: bool) -> None:
        self.doctor = doctor
        self.run_dir = run_dir
        self.role = role
        self.live = live
        self.pid = os.getpid()
        self.server: LiveServer | None = None
        self._finished = 0  # the pid that wrote its report (a forked copy has another)
        self._written = -SNAPSHOT_INTERVAL  # when the report so far was last written (monotonic)
        self._parent_only: list[Callable[[], object]] = []
        self._signal_hooked = False

    def __repr__(self) -> str:
        return f"<Follower {self.role} {self.pid} in {self.run_dir!r}>"

    # -- a worker's life --------------------------------------------------------------

    def begin_worker(self) -> None:
        """Mark this process as watched, serve its live socket if asked, and hook its exit."""
        self.role = "worker"
        self.pid = pid = os.getpid()
        fd = os.open(worker_file(self.run_dir, pid, _STARTED), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        atexit.register(self._at_exit)
        if not self._signal_hooked:
            self._signal_hooked = True
            self._hook_raise_signal()
        util = sys.modules.get("multiprocessing.util")
        if util is not None:  # a multiprocessing child forked now: hook its os._exit path
            util.register_after_fork(self, Follower._multiprocessing_child)
        if self.live:
            from ._live import LiveServer

            try:
                self.server = LiveServer(self.doctor, worker_file(self.run_dir, pid, _SOCKET))
            except OSError as exc:
                self.doctor.internal_error("live socket", exc)

    def _hook_raise_signal(self) -> None:
        """Write the report before ``signal.raise_signal`` ends the process.

        uvicorn's workers, once stopped by ``SIGTERM``, put the default
        handler back and raise the signal again (``Server.capture_signals``),
        from inside their loop: the process dies without running ``atexit``.
        The wrapper writes the report when the signal's default action is to
        end the process and it has no handler, then raises it as before.
        """
        import signal

        original = signal.raise_signal
        fatal = {getattr(signal, name) for name in _FATAL_SIGNALS if hasattr(signal, name)}
        follower = self

        def raise_signal(signalnum: int, /) -> None:
            try:
                if signalnum in fatal and signal.getsignal(signalnum) == signal.SIG_DFL:
                    follower.finish(collect=False)
            except Exception as exc:
                follower.doctor.internal_error("worker report", exc)
            original(signalnum)

        raise_signal.__doc__ = original.__doc__
        self.doctor.patches.set(signal, "raise_signal", raise_signal)

    def after_fork(self) -> None:
        """In a forked child (its only thread): drop the parent's servers and become a worker."""
        self._written = -SNAPSHOT_INTERVAL
        server, self.server = self.server, None
        if server is not None:
            server.forget()
        closers, self._parent_only = self._parent_only, []
        for close in closers:
            close()
        if os.path.isdir(self.run_dir):
            self.begin_worker()
        else:  # the run is over: nothing to report to
            self.role = "orphan"

    def close_in_children(self, close: Callable[[], object]) -> None:
        """Call ``close`` in each forked child (the parent's ``/metrics`` listening socket)."""
        self._parent_only.append(close)

    def _multiprocessing_child(self) -> None:
        # multiprocessing's after-fork callback, in the child, after it cleared the finalizers
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            util.Finalize(None, self.finish, kwargs={"collect": False}, exitpriority=_EXIT_PRIORITY)

    def _at_exit(self) -> None:
        self.finish(collect=True)

    def loop_stopped(self) -> None:
        """A loop stopped in this worker: leave the report so far (at most once a second).

        A worker may never reach its exit hooks: uvicorn's workers, for one, end
        by raising the ``SIGTERM`` they were stopped with again once their loop
        is done.  What the report holds when its last loop stopped is then what
        the parent reads.
        """
        if self.role != "worker" or os.getpid() != self.pid or self._finished == self.pid:
            return
        now = time.monotonic()
        if now - self._written < SNAPSHOT_INTERVAL:
            return
        self._written = now
        try:
            self._write(self.doctor.report())
        except FileNotFoundError:
            pass  # the run folder is gone: the parent has already reported
        except Exception as exc:
            self.doctor.internal_error("worker report", exc)

    def _write(self, report: RuntimeReport) -> None:
        import json

        text = json.dumps({"pid": self.pid, "report": report.to_json()}, ensure_ascii=False)
        final = worker_file(self.run_dir, self.pid, _REPORT)
        temporary = f"{final}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, final)

    def finish(self, *, collect: bool) -> None:
        """Write this worker's report to the run folder (once per process), then stop watching.

        ``collect``: look for lost coroutines and resources with a garbage
        collection first, as the parent does; not on the ``os._exit`` path,
        where the interpreter would never have collected (nor warned).
        """
        pid = os.getpid()
        if self.role != "worker" or self._finished == pid or pid != self.pid:
            return
        self._finished = pid
        doctor = self.doctor
        try:
            doctor.mark()
            if collect:
                collect_garbage()
            doctor.tasks.unretrieved_still_referenced()
            self._write(doctor.report())
        except FileNotFoundError:
            pass  # the run folder is gone: the parent has already reported
        except Exception as exc:
            doctor.internal_error("worker report", exc)
        finally:
            server, self.server = self.server, None
            if server is not None:
                server.close()
            try:
                doctor.uninstall()
            except Exception as exc:
                doctor.internal_error("uninstall", exc)

    # -- the parent ----------------------------------------------------------------------

    def live_sockets(self) -> dict[int, str]:
        """The live sockets of the workers now in the folder: pid -> path."""
        sockets = worker_files(self.run_dir, _SOCKET)
        sockets.pop(os.getpid(), None)
        return sockets

    def worker_reports(self) -> tuple[dict[int, str], dict[int, str]]:
        """The workers that started (pid -> marker) and those that reported (pid -> report file)."""
        return worker_files(self.run_dir, _STARTED), worker_files(self.run_dir, _REPORT)

    def cleanup(self) -> None:
        """Remove the run folder (the parent, once it has reported)."""
        if self.role != "parent" or os.getpid() != self.pid:
            return
        try:
            os.rmdir(self.run_dir)  # no child was followed: nothing in it
        except OSError:
            import shutil

            shutil.rmtree(self.run_dir, ignore_errors=True)


# -- starting -------------------------------------------------------------------------------


def _json_value(value: object) -> str | None:
    """``value`` as JSON, for the few types options have; ``None`` for any other."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if value - value == 0 else None  # not inf or nan
    if isinstance(value, str):
        if not value.isprintable() or not value.isascii():
            return None
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, set | frozenset | list | tuple):
        items = [_json_value(item) for item in (sorted(value) if isinstance(value, set | frozenset) else value)]
        return None if None in items else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    return None


def _options_json(options: DoctorOptions, **more: object) -> str:
    """The options (and ``more``) as a JSON object, written by hand: ``json`` costs
    ``run`` start-up time.  A field of a type this cannot spell is left out (the
    child then has its default)."""
    values: dict[str, object] = {name: getattr(options, name) for name in options._fields()}
    parts = []
    for name, value in {**values, **more}.items():
        text = _json_value(value)
        if text is not None:
            parts.append(f'"{name}": {text}')
    return "{" + ", ".join(parts) + "}"


#: The longest folder the run folder may be made in: a Unix socket's path is at most 103
#: bytes on macOS (107 on Linux), and the longest the folder holds is
#: ``/asyncdoctor-0123456789ab/worker-4194304.sock`` (45 more).
_MAX_BASE = 103 - 45


def _make_run_dir() -> str:
    """A new folder only this user can enter (``0700``), for reports and live sockets.

    In ``XDG_RUNTIME_DIR`` (the user's private folder for sockets) when it is
    set, else in ``TMPDIR``, else in ``/tmp``: the first that exists and is
    short enough for the sockets' paths.
    """
    for base in (os.environ.get("XDG_RUNTIME_DIR"), os.environ.get("TMPDIR"), "/tmp"):
        if not base or len(base) > _MAX_BASE or not os.path.isdir(base):
            continue
        for _attempt in range(10):
            path = os.path.join(base, f"asyncdoctor-{os.urandom(6).hex()}")
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError:
                break
            return path
    import tempfile  # an unusual system: let tempfile find a place

    return tempfile.mkdtemp(prefix="asyncdoctor-")


def start_parent(doctor: Doctor, *, live: bool) -> Follower:
    """Make the run folder and set the environment that makes Python children follow.

    ``live``: workers serve their figures on a live socket (``--metrics``).
    """
    run_dir = _make_run_dir()  # made by us, 0700: nothing to check
    follower = Follower(doctor, run_dir, role="parent", live=live)
    doctor.follower = follower
    environ = os.environ
    environ[ENV_DIR] = run_dir
    environ[ENV_OPTIONS] = _options_json(doctor.options, **{_LIVE_KEY: live})
    path = environ.get("PYTHONPATH", "")
    if path.split(os.pathsep)[0] != BOOTSTRAP:
        environ["PYTHONPATH"] = BOOTSTRAP + (os.pathsep + path if path else "")
    return follower


_HELPERS = (
    "from multiprocessing.resource_tracker import main",
    "from multiprocessing.semaphore_tracker import main",
)
_FORKSERVER = "from multiprocessing.forkserver import main"


def _command() -> str | None:
    """The ``-c`` command this interpreter was started with, if any (``sys.orig_argv``)."""
    argv: list[str] = list(getattr(sys, "orig_argv", []))
    for index, arg in enumerate(argv[1:-1], 1):
        if arg == "-c":
            return str(argv[index + 1])
        if not arg.startswith("-"):
            return None
    return None


def _nested_run() -> bool:
    """Whether this child is itself ``asyncdoctor run`` (it then follows its own children)."""
    argv: list[str] = list(getattr(sys, "orig_argv", []))
    for index, arg in enumerate(argv[1:], 1):
        if arg == "-m":
            return index + 1 < len(argv) and argv[index + 1] == "asyncdoctor"
        if not arg.startswith("-"):
            return os.path.basename(arg).lower().startswith("asyncdoctor")
    return False


def start_child(run_dir: str, options_text: str) -> None:
    """Install the doctor in this child of a followed run (called by the bootstrap).

    Never raises: a doctor that cannot start says so in one line and the
    child runs on without it.
    """
    try:
        command = _command() or ""
        # (3.14 starts forkserver's command with "import sys; ": look for it anywhere)
        if any(helper in command for helper in _HELPERS) or _nested_run():
            return
        import json

        from ._doctor import install
        from ._options import DoctorOptions

        raw = json.loads(options_text)
        live = bool(raw.pop(_LIVE_KEY, False))
        fields = set(DoctorOptions.__slots__)
        values = {name: value for name, value in raw.items() if name in fields}
        if "detectors" in values:
            values["detectors"] = frozenset(values["detectors"])
        doctor = install(DoctorOptions(**values))
        follower = Follower(doctor, run_dir, role="worker", live=live)
        doctor.follower = follower
        if _FORKSERVER in command:
            follower.role = "helper"
        else:
            follower.begin_worker()
    except Exception as exc:
        stream = sys.stderr if sys.stderr is not None else sys.__stderr__
        if stream is not None:
            try:
                stream.write(
                    f"asyncdoctor: doctor failed in process {os.getpid()} "
                    f"({type(exc).__name__}: {exc}); it runs without it\n"
                )
                stream.flush()
            except Exception:
                pass


# -- the end -------------------------------------------------------------------------------


def collect_garbage() -> None:
    """``gc.collect()``, from a thread that has no Python frame at all.

    Without the doctor, what a collection finds (a coroutine never awaited, a file never
    closed) is collected while the interpreter shuts down, with no frame running, and its
    warning reads ``sys:1: RuntimeWarning: ...``.  Collected from our own code, it would
    name our line instead.  A thread started on ``gc.collect`` itself (then on the lock's
    ``release``, both C functions called by ``map``) has no frame, so the warning reads
    exactly as without the doctor.
    """
    import _thread
    import gc
    import operator
    from typing import cast

    done = _thread.allocate_lock()
    done.acquire()
    calls: tuple[Callable[[], object], ...] = (gc.collect, done.release)
    steps = map(cast("Any", operator.call), calls)
    try:
        _thread.start_new_thread(list, (steps,))
    except RuntimeError:  # no thread can be started (interpreter shutting down)
        gc.collect()
        return
    done.acquire()
