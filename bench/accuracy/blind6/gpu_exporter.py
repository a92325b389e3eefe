"""Prometheus exporter for GPU boxes: nvidia-smi stats plus sidecar health."""
import asyncio
import logging
import subprocess

from aiohttp import ClientSession, ClientTimeout, web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

log = logging.getLogger("gpu_exporter")

REGISTRY = CollectorRegistry()
GPU_UTIL = Gauge("gpu_utilization_percent", "GPU utilisation", ["gpu"], registry=REGISTRY)
GPU_MEM = Gauge("gpu_memory_used_mib", "GPU memory used", ["gpu"], registry=REGISTRY)
SIDECAR_UP = Gauge("sidecar_up", "Sidecar health", ["name"], registry=REGISTRY)

SIDECARS = {
    "triton": "http://127.0.0.1:8002/v2/health/ready",
    "dcgm": "http://127.0.0.1:9400/health",
    "nodeexp": "http://127.0.0.1:9100/",
}
QUERY = "--query-gpu=index,utilization.gpu,memory.used"


def parse_smi(text: str) -> list[tuple[str, float, float]]:
    rows = []
    for line in text.strip().splitlines():
        idx, util, mem = (part.strip() for part in line.split(","))
        rows.append((idx, float(util), float(mem)))
    return rows


class Exporter:
    def __init__(self, interval: float = 15.0) -> None:
        self.interval = interval
        self.http: ClientSession | None = None

    async def probe(self, name: str, url: str) -> None:
        try:
            async with self.http.get(url) as resp:
                SIDECAR_UP.labels(name).set(1 if resp.status == 200 else 0)
        except Exception:
            SIDECAR_UP.labels(name).set(0)

    async def collect(self) -> None:
        out = subprocess.check_output(["nvidia-smi", QUERY, "--format=csv,noheader,nounits"], text=True)  # bug: ADC101
        for idx, util, mem in parse_smi(out):
            GPU_UTIL.labels(idx).set(util)
            GPU_MEM.labels(idx).set(mem)
        for name, url in SIDECARS.items():
            await self.probe(name, url)  # bug: ADC501

    async def refresh_forever(self) -> None:
        while True:
            try:
                await self.collect()
            except Exception:
                log.exception("collection failed")
            await asyncio.sleep(self.interval)

    async def metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def on_startup(self, app: web.Application) -> None:
        self.http = ClientSession(timeout=ClientTimeout(total=3))
        asyncio.create_task(self.refresh_forever())  # bug: ADC301

    async def on_cleanup(self, app: web.Application) -> None:
        await self.http.close()


def make_app() -> web.Application:
    exporter = Exporter()
    app = web.Application()
    app.router.add_get("/metrics", exporter.metrics)
    app.on_startup.append(exporter.on_startup)
    app.on_cleanup.append(exporter.on_cleanup)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=9835)
