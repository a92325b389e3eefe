from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import openai

from ._sync import SyncLLM
from .tools import ToolRegistry

log = logging.getLogger("llm_kit")


class AsyncLLM:
    def __init__(
        self,
        model: str = "gpt-4o-mini",
        fallback_model: str = "gpt-4o",
        tools: ToolRegistry | None = None,
        max_steps: int = 8,
    ) -> None:
        self.model = model
        self.fallback_model = fallback_model
        self.tools = tools or ToolRegistry()
        self.max_steps = max_steps
        self._client = openai.AsyncOpenAI(api_key=os.environ.get("OPENAI_API_KEY"))
        self._fallback = SyncLLM(model=fallback_model, base_url=os.environ.get("OPENAI_FALLBACK_URL"))
        self.usage: dict[str, int] = {"prompt": 0, "completion": 0}

    async def _record_usage(self, usage: Any) -> None:
        self.usage["prompt"] += usage.prompt_tokens
        self.usage["completion"] += usage.completion_tokens
        log.debug("usage so far: %s", self.usage)

    async def complete(self, messages: list[dict[str, Any]], **params: Any) -> str:
        try:
            response = await self._client.chat.completions.create(
                model=self.model, messages=messages, **params
            )
        except openai.APIConnectionError:
            log.warning("primary endpoint unreachable, using fallback")
            return self._fallback.complete(messages, **params)  # bug: ADC101
        if response.usage is not None:
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, self._record_usage, response.usage)  # bug: ADC202
        return response.choices[0].message.content or ""

    async def run_agent(self, prompt: str, system: str | None = None) -> str:
        messages: list[dict[str, Any]] = []
        if system:
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": prompt})

        for _step in range(self.max_steps):
            response = await self._client.chat.completions.create(
                model=self.model, messages=messages, tools=self.tools.schemas() or openai.NOT_GIVEN
            )
            message = response.choices[0].message
            messages.append(message.model_dump(exclude_none=True))
            if not message.tool_calls:
                return message.content or ""
            call = message.tool_calls[0]
            output = self.tools[call.function.name].invoke(call.function.arguments)  # bug: ADC103
            messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
        raise RuntimeError(f"agent did not finish in {self.max_steps} steps")

    async def aclose(self) -> None:
        await self._client.close()
