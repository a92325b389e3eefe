"""``unclosed-resource``: files, streams/transports, aiohttp sessions, with their creation line."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from ._engine import describe, line_of, run_program

FILES = """
import asyncio

def read_config(path):
    handle = open(path)  # OPEN
    return handle.readline()

async def main():
    read_config(__file__)

asyncio.run(main())
"""


def test_unclosed_file_is_found_at_its_open_line_and_stays_silent(tmp_path: Path) -> None:
    plain = run_program(tmp_path / "plain", FILES, doctor=False)
    run = run_program(tmp_path / "doctored", FILES)
    found = run.of_kind("unclosed-resource")
    assert [f["location"]["line"] for f in found] == [line_of(FILES, "# OPEN")], describe(run)
    assert "unclosed file" in found[0]["message"]
    # ResourceWarning is ignored by default: the doctor sees it, the user does not.
    assert plain.stderr == "" and run.stderr == "", describe(run)


def test_resource_warnings_shown_when_the_program_asks_for_them(tmp_path: Path) -> None:
    plain = run_program(tmp_path / "plain", FILES, doctor=False, python_args=("-W", "default"))
    run = run_program(tmp_path / "doctored", FILES, python_args=("-W", "default"))
    assert "ResourceWarning: unclosed file" in plain.stderr
    assert run.stderr.replace(str(tmp_path / "doctored"), str(tmp_path / "plain")) == plain.stderr
    assert run.lines("unclosed-resource") == [line_of(FILES, "# OPEN")], describe(run)


SCOPED = """
import gc, warnings

def leak(path):
    open(path).readline()  # OPEN

with warnings.catch_warnings():
    warnings.simplefilter("default", ResourceWarning)
    leak(__file__)
    gc.collect()
leak(__file__)
gc.collect()
print("done")
"""


@pytest.mark.parametrize(
    "python_args",
    [(), ("-X", "context_aware_warnings=1")] if sys.version_info >= (3, 14) else [()],
    ids=["global", "context-aware"][: 2 if sys.version_info >= (3, 14) else 1],
)
def test_resource_warning_filters_of_a_catch_warnings_block_are_obeyed(
    tmp_path: Path, python_args: tuple[str, ...]
) -> None:
    # With context-aware warnings (3.14+) the filters of a catch_warnings() block live in
    # a context variable, not in warnings.filters: the doctor must read those.
    plain = run_program(tmp_path / "plain", SCOPED, doctor=False, python_args=python_args)
    run = run_program(tmp_path / "doctored", SCOPED, python_args=python_args)
    assert plain.stderr.count("ResourceWarning: unclosed file") == 1, plain.stderr
    assert run.stderr.replace(str(tmp_path / "doctored"), str(tmp_path / "plain")) == plain.stderr
    assert run.stdout == plain.stdout == "done\n"
    assert run.lines("unclosed-resource") == [line_of(SCOPED, "# OPEN")] * 1, describe(run)


STREAMS = """
import asyncio, gc

async def handle(reader, writer):
    await reader.read(10)
    writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)  # CONNECT
        writer.write(b"hi")
        await writer.drain()
        del reader, writer
        gc.collect()
        await asyncio.sleep(0.05)

asyncio.run(main())
"""


def test_unclosed_stream_is_found_at_its_connection_line(tmp_path: Path) -> None:
    run = run_program(tmp_path, STREAMS)
    assert run.returncode == 0, describe(run)
    lines = run.lines("unclosed-resource")
    assert lines and set(lines) == {line_of(STREAMS, "# CONNECT")}, describe(run)
    assert run.stderr == "", describe(run)


AIOHTTP = """
import asyncio, gc
import aiohttp

async def make_client():
    return aiohttp.ClientSession()  # SESSION

async def main():
    session = await make_client()
    del session
    gc.collect()
    await asyncio.sleep(0)

asyncio.run(main())
"""


def test_unclosed_aiohttp_session_is_found_at_its_creation_line(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    plain = run_program(tmp_path / "plain", AIOHTTP, doctor=False)
    run = run_program(tmp_path / "doctored", AIOHTTP)
    found = run.of_kind("unclosed-resource")
    assert {f["location"]["line"] for f in found} == {line_of(AIOHTTP, "# SESSION")}, describe(run)
    assert any("Unclosed client session" in f["message"] for f in found), describe(run)
    assert _addresses(run.stderr) == _addresses(plain.stderr)


def _addresses(text: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x...", text)
