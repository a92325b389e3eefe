"""Executes tool calls requested by the model and feeds results back."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from anthropic import AsyncAnthropic

log = logging.getLogger(__name__)

ToolFn = Callable[..., Awaitable[Any]]


@dataclass
class ToolCall:
    id: str
    name: str
    args: dict


class ToolRunner:
    def __init__(self, tools: dict[str, ToolFn], max_parallel: int = 4):
        self._tools = tools
        self._llm = AsyncAnthropic()
        self._max_parallel = max_parallel

    async def _run_one(self, call: ToolCall) -> dict:
        limiter = asyncio.Semaphore(self._max_parallel)  # bug: ADC504
        async with limiter:
            fn = self._tools[call.name]
            try:
                result = await asyncio.wait_for(fn(**call.args), timeout=30)
            except TimeoutError:
                result = {"error": "timeout"}
        return {"type": "tool_result", "tool_use_id": call.id, "content": json.dumps(result)}

    async def run_calls(self, calls: list[ToolCall]) -> list[dict]:
        return await asyncio.gather(*(self._run_one(c) for c in calls))

    async def embed_corpus(self, docs: list[str], embed: ToolFn) -> list[list[float]]:
        # docs come from a user upload and can be tens of thousands long
        return await asyncio.gather(*[embed(text=d) for d in docs])  # bug: ADC502

    async def step(self, messages: list[dict], tool_specs: list[dict]) -> list[dict]:
        task = asyncio.create_task(  # bug: ADC302
            self._llm.messages.create(
                model="claude-sonnet-4-5", max_tokens=2048, messages=messages, tools=tool_specs
            )
        )
        reply = await task
        calls = [
            ToolCall(b.id, b.name, b.input) for b in reply.content if b.type == "tool_use"
        ]
        if not calls:
            return messages + [{"role": "assistant", "content": reply.content}]
        results = await self.run_calls(calls)
        return messages + [
            {"role": "assistant", "content": reply.content},
            {"role": "user", "content": results},
        ]
