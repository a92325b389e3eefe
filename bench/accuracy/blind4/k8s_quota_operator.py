"""kopf operator that keeps per-namespace ResourceQuotas in line with a TeamQuota CR."""
import asyncio
import logging

import kopf
from kubernetes_asyncio import client, config

logger = logging.getLogger(__name__)

state = {"ready": False}


@kopf.on.startup()
async def startup(settings: kopf.OperatorSettings, **_):
    await config.load_kube_config()
    settings.posting.level = logging.WARNING
    state["ready"] = True


async def _wait_ready():
    while not state["ready"]:  # bug: ADC503
        await asyncio.sleep(0.1)


@kopf.on.create("example.com", "v1", "teamquotas")
@kopf.on.update("example.com", "v1", "teamquotas")
async def reconcile(spec, name, **_):
    await _wait_ready()
    api_client = client.ApiClient()  # bug: ADC401, ADC402
    core = client.CoreV1Api(api_client)
    namespaces = spec.get("namespaces", [])
    quotas = await core.list_resource_quota_for_all_namespaces(label_selector=f"team={name}")
    usage = {q.metadata.namespace: dict(q.status.used or {}) for q in quotas.items}
    body = {"spec": {"hard": spec["hard"]}}
    for ns in namespaces:
        # Patch in order so a failure leaves earlier namespaces consistent.
        await core.patch_namespaced_resource_quota(name, ns, body)
    logger.info("reconciled %s: %s", name, usage)
    return {"usage": usage}


@kopf.timer("example.com", "v1", "teamquotas", interval=300)
async def audit(spec, name, **_):
    async with client.ApiClient() as api:
        core = client.CoreV1Api(api)
        cont = None
        while True:
            page = await core.list_namespace(limit=100, _continue=cont)
            for item in page.items:
                logger.debug("%s sees namespace %s", name, item.metadata.name)
            cont = page.metadata._continue
            if not cont:
                break
