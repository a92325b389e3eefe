"""BoundedTaskGroup: at most `limit` bodies run at once, TaskGroup's failure semantics."""

from __future__ import annotations

import asyncio
import gc

import pytest

from asyncdoctor.limits import BoundedTaskGroup

from .conftest import Runner, settle


def test_runs_at_most_limit_at_once_in_creation_order(run: Runner) -> None:
    async def main() -> None:
        running = 0
        peak = 0
        started: list[int] = []

        async def job(i: int) -> int:
            nonlocal running, peak
            started.append(i)
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.001 * (i % 3))
            running -= 1
            return i * 2

        async with BoundedTaskGroup(limit=3) as tg:
            tasks = [tg.create_task(job(i), name=f"job-{i}") for i in range(20)]
            assert tg.limiter.limit == 3
        assert [t.result() for t in tasks] == [i * 2 for i in range(20)]
        assert tasks[4].get_name() == "job-4"
        assert peak == 3
        assert started == list(range(20))

    run(main)


def test_failure_cancels_the_rest_queued_ones_never_start(run: Runner) -> None:
    async def main() -> None:
        started: list[int] = []

        async def job(i: int) -> None:
            started.append(i)
            await asyncio.sleep(0.001 if i == 1 else 3600)  # the others end only cancelled
            if i == 1:
                raise ValueError("boom")

        with pytest.raises(ExceptionGroup) as info:
            async with BoundedTaskGroup(limit=2) as tg:
                for i in range(10):
                    tg.create_task(job(i))
        assert info.group_contains(ValueError)
        assert sorted(started) == [0, 1]
        assert not asyncio.all_tasks() - {asyncio.current_task()}
        gc.collect()  # a queued coroutine that never ran must not warn (warnings are errors)

    run(main)


def test_limit_can_be_raised_while_running(run: Runner) -> None:
    async def main() -> None:
        gate = asyncio.Event()
        running = 0
        peak = 0

        async def job() -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await gate.wait()
            running -= 1

        async with BoundedTaskGroup(limit=1) as tg:
            for _ in range(6):
                tg.create_task(job())
            await settle()  # loop cycles, not seconds: a busy machine is slow, not reordered
            assert running == 1
            tg.limiter.limit = 4
            await settle()
            assert running == 4
            gate.set()
        assert peak == 4

    run(main)


def test_create_task_after_exit_raises_without_warning(run: Runner) -> None:
    async def main() -> None:
        async with BoundedTaskGroup(limit=2) as tg:
            pass

        async def job() -> None:
            await asyncio.sleep(0)

        with pytest.raises(RuntimeError):
            tg.create_task(job())
        gc.collect()

    run(main)


def test_create_task_with_a_non_coroutine_raises_at_once(run: Runner) -> None:
    # it used to be accepted, then fail the whole group from inside the task (and raise
    # AttributeError in the done callback that closes the coroutine)
    async def main() -> list[str]:
        reported: list[str] = []
        asyncio.get_running_loop().set_exception_handler(
            lambda _loop, ctx: reported.append(ctx["message"])
        )
        done = []

        async def ok() -> None:
            await asyncio.sleep(0)
            done.append(1)

        async with BoundedTaskGroup(limit=2) as tg:
            with pytest.raises(TypeError, match="a coroutine was expected"):
                tg.create_task(lambda: 1)  # type: ignore[arg-type]
            tg.create_task(ok())
        assert done == [1]
        return reported

    assert run(main) == []
