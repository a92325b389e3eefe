from __future__ import annotations

import os
from typing import Any

import openai


class SyncLLM:
    """Blocking client, for scripts and notebooks."""

    def __init__(self, model: str = "gpt-4o-mini", api_key: str | None = None, base_url: str | None = None) -> None:
        self.model = model
        self._client = openai.OpenAI(
            api_key=api_key or os.environ.get("OPENAI_API_KEY"),
            base_url=base_url,
            max_retries=2,
        )

    def complete(self, messages: list[dict[str, Any]], **params: Any) -> str:
        response = self._client.chat.completions.create(
            model=params.pop("model", self.model), messages=messages, **params
        )
        return response.choices[0].message.content or ""

    def embed(self, texts: list[str], model: str = "text-embedding-3-small") -> list[list[float]]:
        response = self._client.embeddings.create(model=model, input=texts)
        return [item.embedding for item in response.data]
