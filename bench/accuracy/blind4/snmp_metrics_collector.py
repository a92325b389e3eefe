"""Poll switch interface counters over SNMP and push them to a Prometheus pushgateway."""
import asyncio
import logging

import aiohttp
from inventory import load_devices  # async; every switch in the site, a few hundred
from pysnmp.hlapi import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    getCmd,
)

log = logging.getLogger("snmp")
IF_IN = "1.3.6.1.2.1.2.2.1.10"
IF_OUT = "1.3.6.1.2.1.2.2.1.16"
engine = SnmpEngine()


def _snmp_get(host: str, community: str, oid: str) -> int:
    err, status, _idx, binds = next(
        getCmd(engine, CommunityData(community), UdpTransportTarget((host, 161), timeout=2), ContextData(),
               ObjectType(ObjectIdentity(oid)))
    )
    if err or status:
        raise RuntimeError(f"{host}: {err or status.prettyPrint()}")
    return int(binds[0][1])


async def poll_device(dev: dict) -> dict:
    port = dev.get("uplink", 1)
    rx = await asyncio.to_thread(_snmp_get, dev["host"], dev["community"], f"{IF_IN}.{port}")
    tx = _snmp_get(dev["host"], dev["community"], f"{IF_OUT}.{port}")  # bug: ADC101
    return {"host": dev["host"], "rx": rx, "tx": tx}


async def push(session: aiohttp.ClientSession, samples: list[dict]) -> None:
    body = "".join(
        f'switch_uplink_rx_bytes{{host="{s["host"]}"}} {s["rx"]}\nswitch_uplink_tx_bytes{{host="{s["host"]}"}} {s["tx"]}\n'
        for s in samples
    )
    async with session.put("http://pushgateway:9091/metrics/job/snmp", data=body) as resp:
        resp.raise_for_status()


async def collect_once(session: aiohttp.ClientSession) -> None:
    devices = await load_devices()
    results = await asyncio.gather(*[poll_device(d) for d in devices], return_exceptions=True)  # bug: ADC502
    samples = [r for r in results if isinstance(r, dict)]
    for r in results:
        if isinstance(r, Exception):
            log.warning("poll failed: %s", r)
    await push(session, samples)


async def main(interval: float = 60.0) -> None:
    async with aiohttp.ClientSession() as session:
        while True:
            await collect_once(session)
            await asyncio.sleep(interval)


if __name__ == "__main__":
    asyncio.run(main())
