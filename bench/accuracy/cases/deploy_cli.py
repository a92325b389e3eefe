#!/usr/bin/env python3
"""deployctl: roll a release out to every app server.

Usage: deployctl.py v1.4.2 [--dry-run]
"""

import argparse
import asyncio
import logging
import subprocess
import sys

log = logging.getLogger("deployctl")

SERVERS = ["app-1.internal", "app-2.internal", "app-3.internal"]


async def ssh(host: str, *cmd: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "ssh", host, *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{host}: {' '.join(cmd)} failed: {err.decode().strip()}")
    return out.decode()


async def build_artifact(version: str) -> str:
    log.info("tagging and building %s", version)
    subprocess.run(["git", "tag", "-f", version], check=True)  # bug: ADC101
    proc = await asyncio.create_subprocess_exec("make", "dist", f"VERSION={version}")
    if await proc.wait() != 0:
        raise RuntimeError("build failed")
    return f"dist/app-{version}.tar.gz"


async def deploy_host(host: str, artifact: str, dry_run: bool) -> None:
    if dry_run:
        log.info("[dry-run] would deploy %s to %s", artifact, host)
        return
    await ssh(host, "sudo", "/opt/app/bin/install", artifact)
    await ssh(host, "sudo", "systemctl", "restart", "app")


async def rollout(version: str, dry_run: bool) -> int:
    artifact = await build_artifact(version)
    # Rolling deploy on purpose: one host at a time so the pool keeps serving.
    for host in SERVERS:
        await deploy_host(host, artifact, dry_run)
        status = await ssh(host, "curl", "-sf", "localhost:8080/health")
        if "ok" not in status:
            log.error("%s unhealthy after deploy, stopping rollout", host)
            return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="deployctl")
    parser.add_argument("version")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    # sync code: fine to shell out here
    subprocess.run(["git", "fetch", "--tags"], check=True)
    return asyncio.run(rollout(args.version, args.dry_run))


if __name__ == "__main__":
    sys.exit(main())
