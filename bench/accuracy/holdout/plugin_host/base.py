from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .host import PluginHost


class Plugin(Protocol):
    name: str

    async def start(self, host: PluginHost) -> None: ...

    async def stop(self) -> None: ...
