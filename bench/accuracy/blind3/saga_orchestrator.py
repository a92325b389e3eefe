from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

log = logging.getLogger("saga")

Action = Callable[[dict[str, Any]], Awaitable[Any]]


@dataclass
class SagaStep:
    name: str
    action: Action
    compensate: Action | None = None
    retries: int = 2


@dataclass
class SagaRun:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    completed: list[SagaStep] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)


class SagaFailed(Exception):
    pass


class Orchestrator:
    def __init__(self, store) -> None:
        self.store = store

    async def _attempt(self, step: SagaStep, ctx: dict[str, Any]) -> Any:
        for attempt in range(step.retries + 1):
            try:
                return await step.action(ctx)
            except asyncio.CancelledError:
                log.warning("step %s cancelled", step.name)
                raise
            except Exception as exc:
                if attempt == step.retries:
                    raise SagaFailed(f"{step.name}: {exc}") from exc
                await asyncio.sleep(0.2 * 2**attempt)

    async def _compensate(self, run: SagaRun, ctx: dict[str, Any]) -> None:
        for step in reversed(run.completed):
            if step.compensate is None:
                continue
            try:
                await step.compensate(ctx)
                await self.store.append(run.id, f"compensated:{step.name}")
            except Exception:
                log.exception("compensation of %s failed; manual action needed", step.name)

    async def execute(self, steps: list[SagaStep], ctx: dict[str, Any]) -> SagaRun:
        run = SagaRun()
        await self.store.append(run.id, "started")
        try:
            for step in steps:
                run.results[step.name] = await self._attempt(step, ctx | run.results)
                run.completed.append(step)
                await self.store.append(run.id, f"done:{step.name}")
        except BaseException:
            await asyncio.shield(self._compensate(run, ctx))
            await self.store.append(run.id, "failed")
            raise
        await self.store.append(run.id, "completed")
        return run

    async def execute_parallel_checks(self, checks: dict[str, Action], ctx: dict[str, Any]) -> dict[str, Any]:
        async with asyncio.TaskGroup() as tg:
            tasks = {name: tg.create_task(check(ctx)) for name, check in checks.items()}
        return {name: task.result() for name, task in tasks.items()}
