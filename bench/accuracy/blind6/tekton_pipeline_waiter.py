"""Start a Tekton PipelineRun for a release and wait for it (used by the release bot)."""
import asyncio
import logging
import sys
import time

from kubernetes import client, config

log = logging.getLogger("tekton_waiter")

GROUP, VERSION, PLURAL = "tekton.dev", "v1", "pipelineruns"
NAMESPACE = "ci"


class Tekton:
    def __init__(self) -> None:
        config.load_kube_config()
        self.api = client.CustomObjectsApi()

    def _create(self, pipeline: str, params: dict[str, str]) -> str:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "PipelineRun",
            "metadata": {"generateName": f"{pipeline}-"},
            "spec": {"pipelineRef": {"name": pipeline},
                     "params": [{"name": k, "value": v} for k, v in params.items()]},
        }
        created = self.api.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, body)
        return created["metadata"]["name"]

    def _status(self, name: str) -> tuple[str, str]:
        run = self.api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name)
        conds = run.get("status", {}).get("conditions", [])
        succeeded = next((c for c in conds if c["type"] == "Succeeded"), None)
        if succeeded is None:
            return "Unknown", "pending"
        return succeeded["status"], succeeded.get("reason", "")

    async def start(self, pipeline: str, params: dict[str, str]) -> str:
        return await asyncio.to_thread(self._create, pipeline, params)

    async def wait(self, name: str, timeout: float = 3600, every: float = 15) -> bool:
        started = time.monotonic()
        async with asyncio.timeout(timeout):
            while True:
                status, reason = await asyncio.to_thread(self._status, name)
                if status != "Unknown":
                    log.info("%s finished: %s (%.0fs)", name, reason, time.monotonic() - started)
                    return status == "True"
                await asyncio.sleep(every)


async def release(tekton: Tekton, version: str) -> bool:
    name = await tekton.start("release", {"version": version, "git-ref": f"v{version}"})
    log.info("started %s", name)
    try:
        return await tekton.wait(name)
    except TimeoutError:
        log.error("%s did not finish within the hour", name)
        return False


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    ok = asyncio.run(release(Tekton(), sys.argv[1]))
    sys.exit(0 if ok else 1)
