"""``never-awaited``, ``unretrieved-exception`` and ``pending-task``: kind and exact line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ._engine import describe, line_of, run_program

uvloop = pytest.importorskip("uvloop") if sys.platform != "win32" else None

NEVER_AWAITED = """
import asyncio

async def send(to):
    return to

def prepare(to):
    pending = send(to)  # IN_HELPER
    return to

class Mailer:
    async def notify(self):
        return 1

    async def run(self):
        self.notify()  # METHOD

async def main():
    send("a")  # DIRECT
    prepare("b")
    await Mailer().run()
    await send("awaited")

asyncio.run(main())
"""


def test_never_awaited_coroutines_are_found_at_their_creation_line(tmp_path: Path) -> None:
    run = run_program(tmp_path, NEVER_AWAITED)
    expected = sorted(
        line_of(NEVER_AWAITED, marker) for marker in ("# IN_HELPER", "# METHOD", "# DIRECT")
    )
    assert run.lines("never-awaited") == expected, describe(run)
    by_line = {f["location"]["line"]: f for f in run.of_kind("never-awaited")}
    assert by_line[line_of(NEVER_AWAITED, "# DIRECT")]["message"] == (
        "coroutine 'send' was never awaited"
    )
    assert by_line[line_of(NEVER_AWAITED, "# METHOD")]["extra"]["coroutine"] == "Mailer.notify"
    assert len(run.findings) == 3, describe(run)


def test_the_warning_the_user_sees_is_unchanged(tmp_path: Path) -> None:
    plain = run_program(tmp_path / "plain", NEVER_AWAITED, doctor=False)
    doctored = run_program(tmp_path / "doctored", NEVER_AWAITED)
    assert "coroutine 'send' was never awaited" in plain.stderr
    assert doctored.stderr.replace(str(tmp_path / "doctored"), str(tmp_path / "plain")) == (
        plain.stderr
    )


DROPPED_LATER = """
import asyncio

async def fetch():
    return 1

async def main():
    kept = [fetch()]  # CREATED
    await asyncio.sleep(0)
    kept.clear()

asyncio.run(main())
"""


def test_coroutine_origins_option_gives_the_exact_creation_line(tmp_path: Path) -> None:
    plain = run_program(tmp_path / "plain", DROPPED_LATER, doctor=False)
    run = run_program(tmp_path / "origins", DROPPED_LATER, options={"coroutine_origins": True})
    assert run.lines("never-awaited") == [line_of(DROPPED_LATER, "# CREATED")], describe(run)
    # The origin lines the option turns on are not added to the user's warning.
    assert "Coroutine created at" not in run.stderr
    assert run.stderr.replace(str(tmp_path / "origins"), str(tmp_path / "plain")) == plain.stderr


UNRETRIEVED = """
import asyncio

def check(value):
    if value < 0:
        raise ValueError(f"negative: {value}")  # RAISE
    return value

async def job(value):
    await asyncio.sleep(0)
    return check(value)

async def main():
    asyncio.create_task(job(-1))  # SPAWN
    await asyncio.sleep(0.05)

asyncio.run(main())
"""


@pytest.mark.parametrize("task_sites", [False, True], ids=["found-in-code", "recorded"])
def test_unretrieved_exception_line_and_creation_site(tmp_path: Path, task_sites: bool) -> None:
    run = run_program(tmp_path, UNRETRIEVED, options={"task_sites": task_sites})
    found = run.of_kind("unretrieved-exception")
    assert len(found) == 1, describe(run)
    finding = found[0]
    assert finding["location"]["line"] == line_of(UNRETRIEVED, "# RAISE"), describe(run)
    assert finding["location"]["function"] == "check"
    assert finding["created_at"]["line"] == line_of(UNRETRIEVED, "# SPAWN"), describe(run)
    assert "ValueError: negative: -1" in finding["message"]
    assert [frame["function"] for frame in finding["stack"]] == ["job", "check"]
    assert "Task exception was never retrieved" in run.stderr  # asyncio still logs it


CHAINED = """
import asyncio

seen = []

def factory(loop, coro, **kwargs):
    seen.append("factory")
    return asyncio.Task(coro, loop=loop, **kwargs)

def handler(loop, context):
    seen.append("handler:" + context["message"])

async def fail():
    raise KeyError("k")  # FAIL

async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(factory)
    loop.set_exception_handler(handler)
    assert loop.get_task_factory() is factory
    assert loop.get_exception_handler() is handler
    asyncio.create_task(fail())  # CREATE
    await asyncio.sleep(0.05)

asyncio.run(main())
print(seen)
"""


@pytest.mark.parametrize("task_sites", [False, True], ids=["default", "task-sites"])
def test_program_factory_and_handler_set_after_install_still_run(
    tmp_path: Path, task_sites: bool
) -> None:
    plain = run_program(tmp_path / "plain", CHAINED, doctor=False)
    run = run_program(tmp_path / "doctored", CHAINED, options={"task_sites": task_sites})
    assert run.returncode == 0, describe(run)
    assert run.stdout == plain.stdout
    assert "'factory', 'handler:Task exception was never retrieved'" in run.stdout
    found = run.of_kind("unretrieved-exception")
    assert [f["location"]["line"] for f in found] == [line_of(CHAINED, "# FAIL")], describe(run)
    assert found[0]["created_at"]["line"] == line_of(CHAINED, "# CREATE")


PENDING = """
import asyncio

async def heartbeat():
    while True:
        await asyncio.sleep(3600)  # SUSPENDED

async def main():
    asyncio.create_task(heartbeat())  # FORGOTTEN
    await asyncio.sleep(0.01)

RUN(main())
"""


@pytest.mark.parametrize("runner", ["asyncio", "uvloop"])
def test_pending_task_at_shutdown(tmp_path: Path, runner: str) -> None:
    if runner == "uvloop" and uvloop is None:
        pytest.skip("uvloop is not available")
    source = PENDING.replace(
        "RUN(", "import uvloop\nuvloop.run(" if runner == "uvloop" else "asyncio.run("
    )
    run = run_program(tmp_path, source)
    found = run.of_kind("pending-task")
    assert len(found) == 1, describe(run)
    finding = found[0]
    assert finding["location"]["line"] == line_of(source, "# FORGOTTEN"), describe(run)
    assert finding["created_at"]["line"] == line_of(source, "# FORGOTTEN")
    user_frames = [frame for frame in finding["stack"] if frame["path"].endswith("prog.py")]
    assert user_frames[-1]["line"] == line_of(source, "# SUSPENDED"), describe(run)
    assert finding["extra"]["coroutine"] == "heartbeat"
    assert run.findings == found, describe(run)


CLOSED_LOOP = """
import asyncio

async def forever():
    await asyncio.sleep(3600)

async def main():
    asyncio.get_running_loop().create_task(forever())  # MANUAL

loop = asyncio.new_event_loop()
loop.run_until_complete(main())
loop.close()
del loop
"""


def test_task_destroyed_pending_after_a_manual_loop(tmp_path: Path) -> None:
    run = run_program(tmp_path, CLOSED_LOOP)
    assert run.lines("pending-task") == [line_of(CLOSED_LOOP, "# MANUAL")], describe(run)
