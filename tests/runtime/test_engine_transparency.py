"""The doctor never changes what the program does: same output, same exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._engine import describe, run_program

BUSY = """
import asyncio, sys, time, warnings

async def lost():
    return 1

async def explode():
    raise RuntimeError("nobody looks")

async def main():
    print("hello from stdout")
    print("hello from stderr", file=sys.stderr)
    warnings.warn("careful", UserWarning)
    lost()
    asyncio.create_task(explode())
    time.sleep(0.15)
    await asyncio.sleep(0.02)
    open(__file__).close()
    handle = open(__file__)
    del handle
    try:
        raise ValueError("handled")
    except ValueError as exc:
        print("caught", exc)
    return 3

code = asyncio.run(main())
print("done", flush=True)
sys.exit(code)
"""

CRASH = """
import asyncio

async def inner():
    raise LookupError("not here")

async def main():
    await asyncio.sleep(0)
    await inner()

asyncio.run(main())
"""


def _same(tmp_path: Path, source: str) -> None:
    plain = run_program(tmp_path / "plain", source, doctor=False)
    doctored = run_program(tmp_path / "doctored", source)
    normalise = str(tmp_path / "doctored"), str(tmp_path / "plain")
    assert doctored.returncode == plain.returncode, describe(doctored)
    assert doctored.stdout.replace(*normalise) == plain.stdout
    assert doctored.stderr.replace(*normalise) == plain.stderr
    return None


@pytest.mark.parametrize("source", [BUSY, CRASH], ids=["busy-exit-3", "uncaught-exception"])
def test_output_and_exit_code_are_identical(tmp_path: Path, source: str) -> None:
    _same(tmp_path, source)


def test_the_busy_program_is_still_diagnosed(tmp_path: Path) -> None:
    run = run_program(tmp_path, BUSY)
    assert run.returncode == 3
    kinds = {f["kind"] for f in run.findings}
    assert kinds == {
        "blocking-call",
        "never-awaited",
        "unretrieved-exception",
        "unclosed-resource",
    }, describe(run)
