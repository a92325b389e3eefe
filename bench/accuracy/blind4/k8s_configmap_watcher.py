"""Watch ConfigMaps labelled app=edge and hot-reload the proxy when they change."""
import asyncio
import logging
import random

from kubernetes_asyncio import client, config, watch

log = logging.getLogger("cm-watch")


class Reloader:
    def __init__(self, namespace: str, reload_url: str):
        self.namespace = namespace
        self.reload_url = reload_url
        self.versions: dict[str, str] = {}

    async def _reload(self, http, name: str) -> None:
        async with http.post(self.reload_url, json={"configmap": name}) as resp:
            resp.raise_for_status()

    async def run(self, http) -> None:
        await config.load_incluster_config()
        async with client.ApiClient() as api:
            v1 = client.CoreV1Api(api)
            delay = 1.0
            while True:
                w = watch.Watch()
                try:
                    async for event in w.stream(
                        v1.list_namespaced_config_map, self.namespace, label_selector="app=edge", timeout_seconds=300
                    ):
                        cm = event["object"]
                        name, rv = cm.metadata.name, cm.metadata.resource_version
                        if self.versions.get(name) != rv:
                            self.versions[name] = rv
                            # reloads are applied in event order
                            await self._reload(http, name)
                    delay = 1.0
                except client.ApiException as exc:
                    log.warning("watch failed (%s), retrying in %.0fs", exc.status, delay)
                    await asyncio.sleep(delay + random.random())
                    delay = min(delay * 2, 60)


async def main() -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        await Reloader("edge", "http://127.0.0.1:9901/reload").run(http)


if __name__ == "__main__":
    asyncio.run(main())
