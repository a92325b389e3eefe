"""Thin wrappers around the OpenAI SDK with tool calling."""
from ._async import AsyncLLM
from ._sync import SyncLLM
from .tools import Tool, ToolRegistry

__all__ = ["AsyncLLM", "SyncLLM", "Tool", "ToolRegistry"]
