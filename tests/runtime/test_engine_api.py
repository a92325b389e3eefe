"""The public face of :mod:`asyncdoctor.runtime`: install/uninstall, watch, marks, reports."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import warnings

import pytest

import asyncdoctor.runtime as rt
from asyncdoctor.runtime import Frame, LoopMetrics, RuntimeFinding, RuntimeReport


def _hooks() -> dict[str, object]:
    return {
        "events._set_running_loop": asyncio.events._set_running_loop,
        "asyncio._set_running_loop": asyncio._set_running_loop,
        "set_asyncgen_hooks": sys.set_asyncgen_hooks,
        "_warn_unawaited_coroutine": warnings._warn_unawaited_coroutine,  # type: ignore[attr-defined]
        "_showwarnmsg": warnings._showwarnmsg,  # type: ignore[attr-defined]
        "filters": list(warnings.filters),
        "_cancel_all_tasks": asyncio.runners._cancel_all_tasks,  # type: ignore[attr-defined]
        "call_exception_handler": vars(asyncio.BaseEventLoop).get("call_exception_handler"),
        "loop_class_handler": vars(asyncio.SelectorEventLoop).get("call_exception_handler"),
    }


def test_public_names() -> None:
    assert rt.__all__ == sorted(rt.__all__, key=lambda name: (not name.isupper(), name))
    assert rt.KINDS == (
        "blocking-call",
        "never-awaited",
        "unretrieved-exception",
        "unclosed-resource",
        "pending-task",
    )


def _blocking_program() -> None:
    async def main() -> None:
        await asyncio.sleep(0.01)
        time.sleep(0.12)  # noqa: ASYNC251 - the blocking line under test
        await asyncio.sleep(0.01)

    asyncio.run(main())


def test_watch_sees_blocking_and_restores_everything() -> None:
    before = _hooks()
    with rt.watch(rt.DoctorOptions(threshold=0.05)) as doctor:
        assert rt.current() is doctor
        start = doctor.mark()
        _blocking_program()
        found = doctor.findings_since(start)
        later = doctor.mark()
    assert rt.current() is None
    assert _hooks() == before
    assert [f.kind for f in found] == ["blocking-call"]
    assert found[0].location.function == "main"
    assert found[0].location.path == __file__
    assert "time.sleep(0.12)" in found[0].message
    assert 0.09 <= (found[0].duration or 0) <= 0.4
    assert doctor.findings_since(later) == []
    report = doctor.report()
    assert report.findings == tuple(found)
    assert report.metrics.loops_seen == 1
    assert report.metrics.slowest_steps[0][0].startswith(f"{__file__}:")


def test_install_is_a_process_wide_singleton() -> None:
    assert rt.current() is None
    doctor = rt.install(rt.DoctorOptions(detectors=frozenset({"pending-task"})))
    try:
        assert rt.install() is doctor
        assert rt.current() is doctor
        doctor.install()  # idempotent
    finally:
        rt.uninstall()
    assert rt.current() is None
    rt.uninstall()  # harmless when nothing is installed


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown detector"):
        rt.DoctorOptions(detectors=frozenset({"slow-thing"}))
    with pytest.raises(ValueError, match="threshold"):
        rt.DoctorOptions(threshold=0)
    options = rt.DoctorOptions(threshold=0.2)
    assert options.beat() == 0.025  # asyncio's loops: their selector marks the batches
    assert options.beat(marked=False) == 0.002  # uvloop: the heartbeat bounds a step's start
    assert options.sample == 0.005
    assert "threshold=0.2" in repr(options)
    with pytest.raises(ValueError, match="at most half the threshold"):
        rt.DoctorOptions(threshold=0.1, heartbeat_interval=0.06)


def _finding(**changes: object) -> RuntimeFinding:
    values: dict[str, object] = {
        "kind": "blocking-call",
        "message": "event loop blocked for 412 ms at `time.sleep(0.4)`",
        "location": Frame("app.py", 12, "handler"),
        "stack": (Frame("app.py", 30, "main"), Frame("app.py", 12, "handler")),
        "count": 3,
        "duration": 1.234,
        "extra": (("max_ms", "412.0"),),
    }
    values.update(changes)
    return RuntimeFinding(**values)  # type: ignore[arg-type]


METRICS = LoopMetrics(
    loops_seen=1,
    tasks_created=10,
    tasks_peak_alive=4,
    lag_p50_ms=0.5,
    lag_p90_ms=1.0,
    lag_p99_ms=400.0,
    lag_max_ms=412.0,
    slowest_steps=(("app.py:12 handler", 412.0),),
)


def test_render_text_one_line_per_finding() -> None:
    created = Frame("app.py", 7, "main")
    report = RuntimeReport(
        findings=(
            _finding(),
            _finding(
                kind="never-awaited",
                message="coroutine 'send' was never awaited",
                location=Frame("app.py", 20, "main"),
                count=1,
                duration=None,
                created_at=created,
            ),
        ),
        metrics=METRICS,
    )
    lines = report.render_text().splitlines()
    # counted as the JSON report counts them: one finding seen three times is one finding
    assert lines[0] == "asyncdoctor: 2 runtime findings (blocking-call: 1, never-awaited: 1)"
    assert lines[1] == (
        "app.py:12: blocking-call event loop blocked for 412 ms at `time.sleep(0.4)` "
        "(x3, 1.23 s total)"
    )
    assert lines[2] == "app.py:20: never-awaited coroutine 'send' was never awaited"
    assert lines[3] == "    created at app.py:7 in main"
    assert lines[4] == (
        "loop lag p50 0.5 ms, p99 400.0 ms, max 412.0 ms; tasks created: 10, "
        "most pending at once: 4"
    )
    assert len(report.to_json()["findings"]) == 2  # type: ignore[arg-type]
    assert "\x1b[" in report.render_text(color=True)
    assert RuntimeReport(findings=(), metrics=METRICS).render_text() == ""


def test_the_records_are_read_only_values() -> None:
    frame = Frame("app.py", 12, "handler")
    assert frame == Frame("app.py", 12, "handler") and frame != Frame("app.py", 13, "handler")
    assert hash(frame) == hash(Frame("app.py", 12, "handler"))
    assert repr(frame) == "Frame(path='app.py', line=12, function='handler')"
    with pytest.raises(AttributeError, match="read-only"):
        frame.line = 3  # type: ignore[misc]
    assert METRICS.replace(loops_seen=2).loops_seen == 2 and METRICS.loops_seen == 1
    with pytest.raises(TypeError, match="no field 'loops'"):
        METRICS.replace(loops=2)
    options = rt.DoctorOptions(threshold=0.2)
    assert options.replace(stack_limit=5) == rt.DoctorOptions(threshold=0.2, stack_limit=5)
    with pytest.raises(ValueError, match="threshold"):
        options.replace(threshold=-1)
    with pytest.raises(TypeError):
        rt.DoctorOptions(0.2)  # type: ignore[misc]  # keyword-only, as before


def test_render_text_says_what_could_not_be_watched_even_when_clean() -> None:
    unknown = METRICS.replace(tasks_created=None, tasks_peak_alive=None)
    assert "tasks created: unknown, most pending at once: unknown" in unknown.summary()
    report = RuntimeReport(
        findings=(),
        metrics=unknown,
        unavailable=(("blocking-call locations", "the GIL is disabled"),),
    )
    assert report.render_text() == (
        "asyncdoctor: blocking-call locations not available on this Python: the GIL is disabled"
    )
    assert report.to_json()["unavailable"] == [
        {"what": "blocking-call locations", "why": "the GIL is disabled"}
    ]
    assert report.to_json()["metrics"]["tasks_created"] is None  # type: ignore[index]


def test_a_pending_task_shows_where_it_was_suspended_relative_like_its_location() -> None:
    here = os.path.abspath("app.py")
    finding = _finding(
        kind="pending-task",
        message="task Task-2 running beat() was still pending when the loop shut down",
        location=Frame(here, 18, "main"),
        count=1,
        duration=None,
        suspended_at=Frame(os.path.abspath("app.py"), 9, "beat"),
    )
    lines = RuntimeReport(findings=(finding,), metrics=METRICS).render_text().splitlines()
    assert lines[1].startswith("app.py:18: pending-task task Task-2 running beat()")
    assert lines[2] == "    suspended at app.py:9 in beat"


def test_to_json_shape() -> None:
    data = RuntimeReport(findings=(_finding(),), metrics=METRICS).to_json()
    finding = data["findings"][0]  # type: ignore[index]
    assert finding["kind"] == "blocking-call"
    assert finding["location"] == {"path": "app.py", "line": 12, "function": "handler"}
    assert finding["stack"][0] == {"path": "app.py", "line": 30, "function": "main"}
    assert finding["count"] == 3 and finding["duration"] == 1.234
    assert finding["created_at"] is None and finding["extra"] == {"max_ms": "412.0"}
    metrics = data["metrics"]
    assert metrics["slowest_steps"] == [{"step": "app.py:12 handler", "ms": 412.0}]  # type: ignore[index]
    assert metrics["lag_p99_ms"] == 400.0  # type: ignore[index]


def test_an_internal_error_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    doctor = rt.Doctor()
    doctor.internal_error("somewhere", ValueError("broken"))
    doctor.internal_error("elsewhere", ValueError("broken again"))
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("asyncdoctor: internal error in somewhere (ValueError: broken)")


def test_install_from_inside_a_running_loop_watches_that_loop() -> None:
    async def main() -> list[RuntimeFinding]:
        with rt.watch(rt.DoctorOptions(threshold=0.05)) as doctor:
            await asyncio.sleep(0.03)
            time.sleep(0.12)  # noqa: ASYNC251 - the blocking line under test
            await asyncio.sleep(0.03)
            return doctor.findings_since(0)

    found = asyncio.run(main())
    assert [f.kind for f in found] == ["blocking-call"]
    assert "time.sleep(0.12)" in found[0].message


def _python(code: str) -> tuple[int, str, str]:
    """Run ``code`` in a fresh interpreter: its exit code, stdout and stderr."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    return result.returncode, result.stdout, result.stderr


def test_top_level_install_uninstall_watch_are_lazy() -> None:
    # `asyncdoctor.install()` / `asyncdoctor.watch()`: the runtime (and asyncio) is
    # imported only when one of them is used; fresh interpreter, so nothing is imported yet.
    code = (
        "import sys, asyncdoctor\n"
        "assert 'asyncdoctor.runtime' not in sys.modules and 'asyncio' not in sys.modules\n"
        "assert {'install', 'uninstall', 'watch'} <= set(dir(asyncdoctor))\n"
        "import asyncio, asyncdoctor.runtime as rt\n"
        "assert asyncdoctor.install is rt.install and asyncdoctor.uninstall is rt.uninstall\n"
        "with asyncdoctor.watch() as doctor:\n"
        "    asyncio.run(asyncio.sleep(0))\n"
        "assert doctor.report().findings == ()\n"
        "d = asyncdoctor.install()\n"
        "assert rt.current() is d\n"
        "asyncdoctor.uninstall()\n"
        "assert rt.current() is None\n"
        "try:\n"
        "    asyncdoctor.nothing_here\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    assert _python(code) == (0, "ok\n", "")


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not available on Windows")
def test_an_uninstalled_doctor_stays_out_of_uvloop_imported_while_it_watched() -> None:
    # uvloop keeps the asyncio._set_running_loop it finds when first imported: imported
    # under a doctor, it keeps the doctor's wrapper, which must do nothing once uninstalled
    # (it once re-patched the classes of the inventory there, for good).
    pytest.importorskip("uvloop")
    pytest.importorskip("aiohttp")
    code = (
        "import asyncio, aiohttp, sys\n"
        "import asyncdoctor.runtime as rt\n"
        "plain = vars(aiohttp.ClientSession)['__init__']\n"
        "assert 'uvloop' not in sys.modules\n"
        "with rt.watch() as first:\n"
        "    import uvloop\n"
        "    uvloop.run(asyncio.sleep(0))\n"
        "assert vars(aiohttp.ClientSession)['__init__'] is plain\n"
        "uvloop.run(asyncio.sleep(0.01))\n"
        "assert vars(aiohttp.ClientSession)['__init__'] is plain\n"
        "assert len(first.loop_health()) == 1, first.loop_health()\n"
        "with rt.watch() as second:\n"
        "    uvloop.run(asyncio.sleep(0))\n"
        "assert vars(aiohttp.ClientSession)['__init__'] is plain\n"
        "print('ok')\n"
    )
    assert _python(code) == (0, "ok\n", "")


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_the_doctor_imports_nothing_while_a_loop_runs(loop: str) -> None:
    # An import in a step of the program's loop is a blocking step of the doctor's own
    # making (it compiles the module where there is no bytecode cache).
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    runner = "import uvloop; run = uvloop.run\n" if loop == "uvloop" else "run = asyncio.run\n"
    code = (
        "import asyncio, sys\n"
        "import asyncdoctor.runtime as rt\n"
        + runner +
        "doctor = rt.install(rt.DoctorOptions(threshold=0.05))\n"
        "imported = []\n"
        "async def main():\n"
        "    sys.addaudithook(lambda e, a: imported.append(a[0]) if e == 'import' else None)\n"
        "    for _ in range(20):\n"
        "        await asyncio.sleep(0.02)\n"
        "    asyncio.get_running_loop().create_task(asyncio.sleep(0))\n"
        "    await asyncio.sleep(0.1)\n"
        "run(main())\n"
        "print(imported)\n"
    )
    assert _python(code) == (0, "[]\n", "")


def test_code_a_library_generated_is_not_the_users(tmp_path: os.PathLike[str]) -> None:
    """``<string>`` code counts as the user's only when the user's code ran it."""
    import importlib.util
    from pathlib import Path

    from asyncdoctor.runtime._frames import is_user_frame

    lib = Path(tmp_path) / "site-packages" / "genlib.py"
    lib.parent.mkdir()
    lib.write_text(
        "import sys\n"
        "def generated():\n"
        "    code = compile('frame = sys._getframe()', '<string>', 'exec')\n"
        "    scope = {'sys': sys}\n"
        "    exec(code, scope)\n"
        "    return scope['frame']\n"
    )
    spec = importlib.util.spec_from_file_location("genlib", lib)
    assert spec is not None and spec.loader is not None
    genlib = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(genlib)
    assert not is_user_frame(genlib.generated())  # generated by a library
    scope = {"sys": sys}
    exec(compile("frame = sys._getframe()", "<string>", "exec"), scope)
    assert is_user_frame(scope["frame"])  # the user's own exec
    assert is_user_frame(sys._getframe())
