from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any, Callable


class Tool:
    def __init__(self, fn: Callable[..., Any], name: str | None = None, description: str | None = None) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or (inspect.getdoc(fn) or "")
        self.is_async = inspect.iscoroutinefunction(fn)

    def schema(self) -> dict[str, Any]:
        params = {
            name: {"type": "string"}
            for name in inspect.signature(self.fn).parameters
        }
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {"type": "object", "properties": params, "required": list(params)},
            },
        }

    def invoke(self, arguments: str) -> str:
        kwargs = json.loads(arguments or "{}")
        if self.is_async:
            result = asyncio.run(self.fn(**kwargs))
        else:
            result = self.fn(**kwargs)
        return result if isinstance(result, str) else json.dumps(result)


class ToolRegistry:
    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def register(self, fn: Callable[..., Any] | None = None, *, name: str | None = None):
        def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
            tool = Tool(f, name=name)
            self._tools[tool.name] = tool
            return f

        return wrap(fn) if fn is not None else wrap

    def __getitem__(self, name: str) -> Tool:
        return self._tools[name]

    def schemas(self) -> list[dict[str, Any]]:
        return [t.schema() for t in self._tools.values()]
