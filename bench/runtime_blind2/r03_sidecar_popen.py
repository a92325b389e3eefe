"""Start a sidecar process that prepares a lookup table, wait for its ready file, then serve lookups from it."""
import asyncio
import json
import os
import subprocess
import sys
import tempfile

SIDECAR = r"""
import json, os, sys, time
workdir = sys.argv[1]
table = {f"zip-{n:03d}": f"zone-{n % 4}" for n in range(200)}
tmp = os.path.join(workdir, "table.json.tmp")
with open(tmp, "w") as fh:
    json.dump(table, fh)
os.rename(tmp, os.path.join(workdir, "table.json"))
time.sleep(0.1)
"""


def start_sidecar(workdir):
    command = [sys.executable, "-c", SIDECAR, workdir]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)  # EXPECT: unclosed-resource


async def wait_for_file(path, timeout=5.0, poll=0.01):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not os.path.exists(path):
        if loop.time() > deadline:
            raise TimeoutError(f"{path} did not appear")
        await asyncio.sleep(poll)


def load_table(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


async def main():
    with tempfile.TemporaryDirectory(prefix="blind2-sidecar-") as workdir:
        sidecar = start_sidecar(workdir)
        print("sidecar started:", sidecar.args[0] == sys.executable)
        path = os.path.join(workdir, "table.json")
        await wait_for_file(path)
        table = await asyncio.to_thread(load_table, path)
        for code in ("zip-007", "zip-150", "zip-999"):
            print(code, "->", table.get(code, "no zone"))
        await asyncio.sleep(0.2)  # serve traffic for a while
    print("entries:", len(table))


if __name__ == "__main__":
    asyncio.run(main())
