"""ADC101 blocking-call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from .. import _knowledge as kb
from .._analysis import OFFLOADS_FLAG, CallSite, FileSummary, FuncInfo, Usage
from .._index import FILE_CONTENT, Blocked, Group, PClass, PFunc, ProjectIndex, ProjectReport
from .._refs import LibMethod, LibName, LibObject, LibValue, lib_qualname
from ._base import Rule, register
from ._util import display_name, site_report


@register
class BlockingCall(Rule):
    """## What it does
    Finds calls inside `async def` functions that block the thread running
    the event loop: sleeping with `time.sleep`, synchronous HTTP clients
    (`requests`, `urllib`, `urllib3`, sync `httpx`), file and `os`/`shutil`
    operations, `subprocess`, synchronous database drivers (`sqlite3`,
    `psycopg2`, sync `psycopg`, `pymysql`, `pymongo`, sync `redis`), sockets,
    `input()`, waits on `threading` locks and events, `queue.Queue`,
    `concurrent.futures` results, and heavy CPU calls such as
    `hashlib.pbkdf2_hmac`.

    It also follows calls: a synchronous helper that makes a blocking call,
    directly or through other helpers, in the same module or in another one,
    is itself blocking, and the finding names the whole chain, for example
    `get_token() -> requests.post() at shop/auth.py:12`. Methods are followed
    through objects of known type (`self.session = requests.Session()` then
    `self.session.get(...)`), including inherited ones. A library neither the
    tables nor an installed copy describe is judged by the shape of its calls:
    a method named for an action (`get`, `create`, `send`, `upload`...) of a
    client built from a class named for a connection (`...Client`, `...API`,
    `...Connection`) or after its library (`hubspot.HubSpot`), while nothing of
    that library is awaited anywhere in the project nor handed callbacks
    (`connect(..., on_connected_cb=...)`: an SDK driven by events); a model or solver run
    (`InferenceSession(...).run(...)`); a function named for reading or saving
    given a path (`laspy.read(scan_path)`). Functions passed to
    `asyncio.to_thread`, `loop.run_in_executor` and the like are not called on
    the loop, so they are not flagged; but a project function that the project
    runs in a thread somewhere (`await asyncio.to_thread(self._rcon, "list")`)
    blocks, so calling it directly on the loop elsewhere is reported (by
    default when the same module runs it in a thread, with `--preview` when
    only another module does; not when the caller itself runs it in a thread
    on another branch, `if len(text) < LIMIT: return f(text)`). A project
    subclass of a library class is judged by its own constructor when it has
    one (`super().__init__(io.BytesIO())` opens no file), else by the base's.

    By default it reports only calls that block every time they run. These
    are shown only with `--preview`: quick local file I/O (`open()`,
    `pathlib`, `os.path`, and a direct `shutil.rmtree()` or `os.walk()`,
    which on real code mostly clear or list a small temporary or session
    folder; but in a module that uses an async file library, `aiofiles` or
    anyio's files, a sync helper that reads or writes files or lists a
    directory on the loop is an oversight and reported by default),
    `input()` and `getpass()` (on real code, every one judged was a
    deliberate pause for a person), code that runs only under a debugging or
    tracing switch (`if settings.DEBUG:`, `if is_trace_enabled():`, the rest
    of a function after `if not DEBUG: return`), a helper chain whose
    blocking call runs on some paths only (an `if` branch, an `except`
    handler) or once (a `functools.cache`d helper) or more than three calls
    deep, a `time.sleep` of 5 ms or less, an import (`importlib.import_module`:
    only the first one waits), an async `main` that a script runs with `asyncio.run()` and
    that starts no concurrent work (no task, server, signal handler or timer), and start-up and shutdown code (`setup`,
    `initialize`, `lifespan`, `open`, `start`, `close`, `shutdown`, `stop`, `cleanup`, `__aexit__`...),
    which runs once. Calling a generator function never blocks
    (its body runs as it is iterated). When several async functions reach the
    same blocking call, it is reported once, where the call is, naming how
    many reach it; and the blocking calls one async function makes on one
    library's objects (`sqlite3.connect()` then `conn.execute()`, a docker
    container's `get`, `stop` and `remove`) are one finding at the first of
    them (`--show-all-sites` reports each of them instead).

    ## Why is this bad?
    An event loop runs one thing at a time. While a blocking call runs, no
    other task makes progress: requests queue up, timeouts fire, heartbeats
    are missed. One `requests.get` that takes two seconds freezes every
    connection your server holds for two seconds.

    ## Example
    ```python
    import time

    import requests


    async def fetch_status(url: str) -> int:
        response = requests.get(url, timeout=5)
        time.sleep(1)
        return response.status_code
    ```

    ## Use instead
    ```python
    import asyncio

    import httpx


    async def fetch_status(url: str) -> int:
        async with httpx.AsyncClient() as client:
            response = await client.get(url, timeout=5)
        await asyncio.sleep(1)
        return response.status_code
    ```
    When there is no async equivalent, run the blocking function in a worker
    thread: `await asyncio.to_thread(blocking_function, arg)`.

    ## Options
    In `[tool.asyncdoctor]`: `blocking-functions` adds your own blocking
    functions (`"mylib.legacy.query"`, `"mylib.Client.*"` for every method of a
    class); `safe-functions` declares functions that must never be reported
    or followed (for example a helper that only blocks for microseconds).

    ## Fix safety
    There is no automatic fix: the async replacement depends on the library.
    """

    code = "ADC101"
    name = "blocking-call"
    category = "blocking"
    summary = "Blocking call inside an async function"

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        entry = _entry_points(index)
        offloaded: dict[str, frozenset[str]] = {}
        run_in_threads = _functions_run_in_threads(index)
        thread_loops = _run_on_thread_loops(index)
        for info, summary in index.iter_functions():
            if not info.is_async:
                continue
            one_shot = info.qualname in entry or _LIFECYCLE.match(info.name) is not None
            # (on a thread's own loop: preview even for a library the module offloads elsewhere,
            # as it does precisely by handing this function to that thread)
            elsewhere = info.qualname in thread_loops
            # One finding per line for direct calls: ``Image.open(p).convert()`` or
            # ``AudioSegment.from_file(p).export(q)`` is one statement to move to a thread.
            direct: dict[int, ProjectReport] = {}
            libraries: dict[int, str] = {}  # line -> the library its call belongs to
            for site in info.calls:
                value = index.evaluate(site.ref)
                blocked = index.blocking(site, value, summary)
                if blocked is None:
                    threaded = self._run_in_thread_elsewhere(index, summary, info, site, value,
                                                             run_in_threads, one_shot or elsewhere)
                    if threaded is not None:
                        yield threaded
                    continue
                name = display_name(index, value) if value is not None else blocked.culprit
                if blocked.chain and isinstance(value, PFunc | PClass):
                    path = " -> ".join(step.partition(" at ")[0] for step in blocked.chain)
                    where = blocked.chain[-1].partition(" at ")[2]
                    fix = "run it" if index.in_library(value) else "make it async or run it"
                    message = (
                        f"`{name}()` blocks the event loop: it calls {path} at {where}, which "
                        f"{blocked.what}; {fix} in a thread with "
                        f"`await asyncio.to_thread({name.rpartition('.')[2]}, ...)`"
                    )
                    chain = (f"{name}()", *blocked.chain)
                    weak = blocked.weak_path or blocked.culprit in _PROMPTS or (
                        blocked.local_files and not _offloaded_elsewhere(blocked.culprit, summary))
                    group = _group(blocked, f"{name}()", index)
                else:
                    message = f"`{name}()` {blocked.what}, blocking the event loop; {blocked.instead}"
                    chain = ()
                    weak = (_quick_file_io(blocked.culprit) or blocked.brief or blocked.once
                            or blocked.culprit in _PROMPTS)
                    group = None
                top = _library_top(value) if one_shot and not chain else None
                if top is not None:
                    tops = offloaded.get(summary.path)
                    if tops is None:
                        tops = offloaded[summary.path] = _offloaded_libraries(index, summary)
                    # The module runs this library in a thread elsewhere: here it is an oversight.
                    one_shot = top not in tops
                report = replace(site_report(summary, self.code, site, message, chain),
                                 preview=weak or one_shot or elsewhere, group=group)
                if group is not None or chain:
                    yield report
                    continue
                earlier = direct.get(report.line)
                if earlier is None or (earlier.preview and not report.preview):
                    direct[report.line] = report = replace(report, label=f"{name}()")
                    lib = _library_top(value) if _object_call(value) else None
                    if lib is not None:
                        libraries[report.line] = lib
                elif earlier.preview == report.preview and f"`{name}()`" not in earlier.message:
                    direct[report.line] = replace(
                        earlier, message=f"{earlier.message} (`{name}()` on this line blocks too)")
            yield from _one_per_library(direct, libraries, info.name)

    def _run_in_thread_elsewhere(self, index: ProjectIndex, summary: FileSummary, info: FuncInfo,
                                 site: CallSite, value: object, run_in_threads: dict[str, list[tuple[str, str, int]]],
                                 one_shot: bool) -> ProjectReport | None:
        """A call of a project function that the project runs in a thread elsewhere."""
        places = run_in_threads.get(value.qualname) if isinstance(value, PFunc) else None
        if not places or not isinstance(value, PFunc) or site.usage == Usage.AWAITED:
            return None
        if site.guarded and any(path == summary.path and any(s.line == line for s in info.calls)
                                for path, _shown, line in places):
            return None  # the caller runs it in a thread on another branch: inline for small work
        here = [p for p in places if p[0] == summary.path]
        _path, shown, line = (here or places)[0]
        name = display_name(index, value)
        message = (f"`{name}()` is run in a thread at {shown}:{line} (so it blocks), but called here on the "
                   f"event loop; call it the same way: `await asyncio.to_thread({name.rpartition('.')[2]}, ...)`")
        # Run in a thread by this very module: its author knows; by another module only:
        # maybe for larger inputs than here (weaker evidence).
        return replace(site_report(summary, self.code, site, message), preview=one_shot or not here)


def _functions_run_in_threads(index: ProjectIndex) -> dict[str, list[tuple[str, str, int]]]:
    """Project functions that some module hands to a thread (see ``OFFLOADS_FLAG``): their
    authors know they block.  Qualname -> where, each (path, path as shown, line)."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    for summary, qualname, target, line in _offloaded(index):
        if line.isdigit() and not target.is_async and not any(_RUNNERS.search(s.ref) for s in target.calls):
            # (not a function that runs an event loop: ADC103 reports that one)
            found.setdefault(qualname, []).append((summary.path, index.display_path(summary), int(line)))
    return found


def _offloaded(index: ProjectIndex) -> Iterator[tuple[FileSummary, str, FuncInfo, str]]:
    """The project functions handed to a thread (``OFFLOADS_FLAG``): where, which, and the
    line as the flag gives it."""
    for summary in index.summaries:
        for flag in summary.flags:
            if flag.startswith(OFFLOADS_FLAG):
                ref, _, line = flag[len(OFFLOADS_FLAG):].rpartition("@")
                value = index.evaluate(ref)
                target = index.functions.get(value.qualname) if isinstance(value, PFunc) else None
                if isinstance(value, PFunc) and target is not None:
                    yield summary, value.qualname, target[0], line


def _called(index: ProjectIndex, qualnames: set[str], *, by_async: bool) -> set[str]:
    """Which of ``qualnames`` some function (an async one, with ``by_async``) calls: only
    calls that may name one are evaluated (the last part of a reference is the name)."""
    tails = {q.rpartition(".")[2] for q in qualnames}
    called: set[str] = set()
    if not tails:
        return called
    for info, _summary in index.iter_functions():
        if by_async and not info.is_async:
            continue
        for site in info.calls:
            if site.ref.rpartition(".")[2] in tails:
                value = index.evaluate(site.ref)
                if isinstance(value, PFunc):
                    called.add(value.qualname)
    return called


def _run_on_thread_loops(index: ProjectIndex) -> frozenset[str]:
    """Async functions that the project only hands to a thread to run on that thread's own
    event loop (``self.call_thread(self._highwaters, tps)``: mode's ``ServiceThread``, which
    exists to drive a blocking client) and never awaits itself: a blocking call in them
    holds up that thread's loop, not the application's (weaker evidence)."""
    handed = {qualname for _summary, qualname, target, _line in _offloaded(index) if target.is_async}
    return frozenset(handed - _called(index, handed, by_async=False))  # (not also called directly)


def _group(blocked: Blocked, called: str, index: ProjectIndex) -> Group | None:
    """Where a blocking chain can be fixed once for every async function that reaches it."""
    if blocked.root is None or blocked.root[0] in index.library_paths:
        return None  # (in an installed library: each call site is where the project can fix it)
    path, line, col, end_line, end_col = blocked.root
    culprit = blocked.chain[-1].partition(" at ")[0]
    # The sync function that makes the blocking call.
    holder = blocked.chain[-2].partition(" at ")[0] if len(blocked.chain) > 1 else called
    fix = f"make `{holder}` async or call it"
    message = (
        f"`{culprit}` {blocked.what}, blocking the event loop: {{count}} calls in async functions "
        f"reach it through sync helpers (first: {{first}}; `--show-all-sites` lists each); "
        f"{fix} from async code with `await asyncio.to_thread(...)`"
    )
    return Group(path, line, col, end_line, end_col, message)


# Calls on local files that take microseconds to milliseconds: reading a configuration
# file, a template, a small upload; checking or creating a path.  A maintainer rarely
# acts on these, so they are weaker evidence even in an ``async def``.  So is a direct
# ``shutil.rmtree``/``os.walk``: judged on real code (bench/realworld.py, three sets),
# 3 of 20 were worth acting on, the rest cleared small temporary or session folders.
# Archives and images (``tarfile``, ``zipfile``, ``PIL``) stay strong.
_QUICK_FILE_IO = re.compile(
    r"^(builtins\.open|io\.open|os\.path\.\w+|"
    r"os\.(stat|lstat|mkdir|makedirs|remove|unlink|rename|replace|chmod|chown|access|getcwd|"
    r"listdir|scandir|rmdir|utime|symlink|link|readlink|fsync|truncate|read|write|open|close)|"
    r"shutil\.(which|copy|copy2|copyfile|copymode|copystat|move|copyfileobj|chown|rmtree)|os\.(walk|fwalk)|"
    r"glob\.\w+|tempfile\.\w+|fnmatch\.\w+|"
    r"pathlib\.(Pure)?(Posix|Windows)?Path\.\w+)$"
)


# Calls that wait for the person at the terminal: weak evidence (preview).  On real code
# every one judged was a deliberate pause for a person (a REPL, a human-in-the-loop
# review, a manual recording mode), where nothing else runs on the loop meanwhile.
_PROMPTS = frozenset({"builtins.input", "getpass.getpass"})


def _offloaded_libraries(index: ProjectIndex, summary: FileSummary) -> frozenset[str]:
    """The libraries whose functions the module hands to a thread (see ``OFFLOADS_FLAG``)."""
    tops: set[str] = set()
    for flag in summary.flags:
        if flag.startswith(OFFLOADS_FLAG):
            top = _library_top(index.evaluate(flag[len(OFFLOADS_FLAG):].rpartition("@")[0]))
            if top is not None:
                tops.add(top)
    return frozenset(tops)


def _one_per_library(direct: dict[int, ProjectReport], libraries: dict[int, str],
                     func: str) -> Iterator[ProjectReport]:
    """The calls one async function makes on a library's objects (and to make them), one
    finding per library: ``docker``'s ``containers.get()``, ``container.unpause()`` and
    ``container.start()``, or ``sqlite3.connect()`` and ``conn.execute()``, in one function
    have one fix (run that block in a thread, or use the library's async client).  They
    share a :class:`Group` at the first of them shown by default, which the engine turns
    into one finding listing each (``--show-all-sites`` shows them apart); a library
    called once stays as it is.  Plain functions
    (``time.sleep``, ``subprocess.run``) each have their own async replacement: not grouped."""
    by_lib: dict[str, list[ProjectReport]] = {}
    for line, report in direct.items():
        lib = libraries.get(line)
        if lib is None:
            yield report
        else:
            by_lib.setdefault(lib, []).append(report)
    for lib, reports in by_lib.items():
        if len(reports) == 1:
            yield reports[0]
            continue
        reports.sort(key=lambda r: (r.line, r.col))
        anchor = next((r for r in reports if not r.preview), reports[0])
        own = anchor.message.replace("{", "{{").replace("}", "}}")
        message = (f"{own} ({{count}} blocking calls of `{lib}` in `{func}()`: one fix for all, "
                   f"run them together in a thread; `--show-all-sites` lists each)")
        group = Group(anchor.path, anchor.line, anchor.col, anchor.end_line, anchor.end_col, message)
        for report in reports:
            yield replace(report, group=group)


def _object_call(value: object) -> bool:
    """A method of a library object, or what makes one (``sqlite3.connect``,
    ``tarfile.open``, ``docker.from_env``): the calls one block of code makes on it."""
    return isinstance(value, LibMethod) or (isinstance(value, LibName) and value.name in kb.RETURN_TYPES)


def _library_top(value: object) -> str | None:
    """The top-level package of a library function, class, object or method."""
    name = (value.name if isinstance(value, LibName) else value.type
            if isinstance(value, LibObject | LibMethod) else None)
    return name.partition(".")[0] if name else None


def _quick_file_io(culprit: str) -> bool:
    return _QUICK_FILE_IO.match(culprit) is not None


#: Libraries of async file I/O: a module that uses one keeps its file work off the loop on
#: purpose, so a sync helper that reads or writes files (or lists a directory) on the loop
#: is an oversight there.  One direct call on one file (``json.load(open(p))``, a rename)
#: and quick metadata calls (``mkdir``, ``unlink``, ``stat``) stay weak evidence even then:
#: on real code such calls are mostly small files read in rare actions.
_ASYNC_FILES = ("aiofiles", "aiofile", "aiopath", "anyio.Path", "anyio.open_file")


def _offloaded_elsewhere(culprit: str, summary: FileSummary) -> bool:
    return FILE_CONTENT.match(culprit) is not None and any(
        v.startswith(_ASYNC_FILES) for v in summary.symbols.values() if v
    )


# Async functions that run once in a program's or a connection's life, at start-up or
# shutdown: blocking there holds up the loop once, which maintainers rarely act on.
_LIFECYCLE = re.compile(
    r"^_*(on_|async_|a)?(startup|start_up|setup|set_up|init|initiali[sz]e|bootstrap|lifespan|"
    r"shutdown|shut_down|close|teardown|tear_down|cleanup|clean_up|dispose|terminate|finali[sz]e|"
    r"__aenter__|__aexit__)(_\w+)?_*$"
    r"|^_*a?(open|start|stop)$"  # ``Storage.open()``, ``Service.start()``/``stop()`` (not ``open_file(...)``)
)


# Async functions that run once per process, where nothing else runs on the loop yet:
# a script's ``main``, a CLI command.  Blocking there is weaker evidence.
# (a module of a ``cli`` package too: ``fastmcp.cli.install.claude_code``)
_ENTRY_MODULE = re.compile(r"(^|\.)(__main__|cli|management\.commands\.\w+)$|(^|\.)cli\.")
_ENTRY_DECORATOR = re.compile(r"(^|\.)(command|group|callback)$")
# Calls that run a coroutine to completion on a new event loop.
_RUNNERS = re.compile(r"^(asyncio|anyio|trio|uvloop)\.run$|\.run_until_complete$|^asyncio\.Runner\.run$")


def _entry_points(index: ProjectIndex) -> frozenset[str]:
    """Async functions that only run as a program's one-shot entry point.

    An async function is one when sync code (a module's body, a script's
    ``main``) runs it with ``asyncio.run(...)`` and no async code calls it, or
    when it is defined in a command-line module (``__main__``, ``cli``, a module of
    a ``cli`` package) or registered as a CLI command.  It must also start no concurrent work
    itself (no task, ``gather``, server or worker): until it does, nothing
    else runs on the loop that a blocking call could hold up.
    """
    # Sync functions that run a loop: the async functions they call are candidates.
    run_by_sync: set[str] = set()
    for info, _summary in index.iter_functions():
        if info.is_async or not any("run" in site.ref and _RUNNERS.search(site.ref) for site in info.calls):
            continue
        for site in info.calls:
            value = index.evaluate(site.ref)
            if isinstance(value, PFunc):
                run_by_sync.add(value.qualname)
    # Candidates that async code calls too are not one-shot.
    called_by_async = _called(index, run_by_sync, by_async=True)
    entry: set[str] = set()
    for info, summary in index.iter_functions():
        if not info.is_async:
            continue
        named = info.qualname in run_by_sync and info.qualname not in called_by_async
        if not (
            named
            or _ENTRY_MODULE.search(summary.module)
            or any(_ENTRY_DECORATOR.search(d) for d in info.decorators)
        ):
            continue
        if any(_CONCURRENT.search(site.ref) and _on_the_loop(index, site.ref) for site in info.calls):
            continue
        entry.add(info.qualname)
    return frozenset(entry)


def _on_the_loop(index: ProjectIndex, ref: str) -> bool:
    """Whether a call named like concurrent work starts it on the event loop: not the
    blocking helpers of threads and processes (``concurrent.futures.as_completed``,
    ``wait``, a thread's ``start``, a process's ``wait``), which hold the loop instead."""
    name = lib_qualname(value) if isinstance(value := index.evaluate(ref), LibValue) else None
    return name is None or not name.startswith(("concurrent.futures.", "threading.", "subprocess."))


# Calls that start concurrent work on the loop (by the name of what is called): tasks,
# servers, and callbacks the loop must run on time (signal handlers, readers, timers).
_CONCURRENT = re.compile(
    r"(create_task|ensure_future|gather|TaskGroup|as_completed|wait|start_server|serve\w*|"
    r"run_forever|start|run_app|create_server|spawn|start_soon|_worker\w*|"
    r"add_signal_handler|add_reader|add_writer|call_later|call_at|call_soon\w*)$"
)
