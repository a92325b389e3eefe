#!/usr/bin/env python3
"""fleet: run a command on every host of an inventory group.

    fleet web "systemctl is-active nginx"
"""
import argparse
import asyncio
import json
import subprocess
import sys

import asyncssh

INVENTORY_CMD = ["ansible-inventory", "--list"]


def load_inventory(group):
    out = subprocess.run(INVENTORY_CMD, check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    return data.get(group, {}).get("hosts", [])


async def run_on(host, command, timeout, forget_changed_keys):
    try:
        async with asyncssh.connect(host) as conn:
            result = await asyncio.wait_for(conn.run(command, check=False), timeout)
            return host, result.exit_status, (result.stdout or "").strip()
    except asyncssh.HostKeyNotVerifiable as exc:
        if forget_changed_keys:
            subprocess.run(["ssh-keygen", "-R", host], check=False, capture_output=True)  # bug: ADC101
        return host, -1, f"host key changed: {exc}"
    except (OSError, asyncssh.Error, asyncio.TimeoutError) as exc:
        return host, -1, str(exc)


async def main(hosts, command, timeout, forget_changed_keys):
    results = await asyncio.gather(*(run_on(h, command, timeout, forget_changed_keys) for h in hosts))  # bug: ADC502
    failed = 0
    for host, status, output in sorted(results):
        marker = "ok " if status == 0 else "ERR"
        print(f"{marker} {host:30} {output.splitlines()[0] if output else ''}")
        failed += status != 0
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="fleet")
    parser.add_argument("group")
    parser.add_argument("command")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--forget-changed-keys", action="store_true")
    args = parser.parse_args()
    hosts = load_inventory(args.group)
    if not hosts:
        print(f"no hosts in group {args.group!r}", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(hosts, args.command, args.timeout, args.forget_changed_keys)))
