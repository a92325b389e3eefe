"""Tool-calling agent loop on the async OpenAI client."""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import Any, AsyncIterator, Callable

from openai import AsyncOpenAI

log = logging.getLogger("agent")

TOOL_CONCURRENCY = asyncio.Semaphore(4)


class Agent:
    def __init__(self, client: AsyncOpenAI, tools: dict[str, Callable[..., Any]], model: str = "gpt-4o") -> None:
        self.client = client
        self.tools = tools
        self.model = model

    async def _call_tool(self, name: str, arguments: str) -> str:
        fn = self.tools.get(name)
        if fn is None:
            return json.dumps({"error": f"unknown tool {name}"})
        kwargs = json.loads(arguments or "{}")
        async with TOOL_CONCURRENCY:
            try:
                if inspect.iscoroutinefunction(fn):
                    result = await fn(**kwargs)
                else:
                    result = await asyncio.to_thread(fn, **kwargs)
            except Exception as exc:
                log.exception("tool %s failed", name)
                result = {"error": str(exc)}
        return result if isinstance(result, str) else json.dumps(result, default=str)

    async def run(self, messages: list[dict[str, Any]], tool_schemas: list[dict[str, Any]], max_turns: int = 10) -> str:
        for _turn in range(max_turns):
            response = await self.client.chat.completions.create(
                model=self.model, messages=messages, tools=tool_schemas, parallel_tool_calls=True
            )
            message = response.choices[0].message
            messages.append(message.model_dump(exclude_none=True))
            if not message.tool_calls:
                return message.content or ""
            outputs = await asyncio.gather(
                *(self._call_tool(c.function.name, c.function.arguments) for c in message.tool_calls)
            )
            for call, output in zip(message.tool_calls, outputs):
                messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
        return "I could not finish this task."

    async def stream(self, messages: list[dict[str, Any]]) -> AsyncIterator[str]:
        stream = await self.client.chat.completions.create(model=self.model, messages=messages, stream=True)
        try:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        finally:
            await stream.close()
