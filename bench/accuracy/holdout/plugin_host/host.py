import asyncio
import logging

from .base import Plugin

log = logging.getLogger("plugins")


class PluginHost:
    def __init__(self) -> None:
        self.plugins: dict[str, Plugin] = {}
        self.bus: asyncio.Queue = asyncio.Queue(maxsize=1000)

    def register(self, plugin: Plugin) -> None:
        if plugin.name in self.plugins:
            raise ValueError(f"duplicate plugin {plugin.name}")
        self.plugins[plugin.name] = plugin

    async def start_all(self) -> None:
        # registration order is dependency order
        for plugin in self.plugins.values():
            await plugin.start(self)
            log.info("started %s", plugin.name)

    async def stop_all(self) -> None:
        for plugin in reversed(list(self.plugins.values())):
            try:
                await plugin.stop()
            except Exception:
                log.exception("stopping %s failed", plugin.name)

    async def run(self, handle_event) -> None:
        await self.start_all()
        try:
            while True:
                event = await self.bus.get()
                await handle_event(event)
        finally:
            await self.stop_all()
