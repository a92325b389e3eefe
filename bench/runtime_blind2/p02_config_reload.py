"""An app that reloads its feature configuration from a file while it runs."""
import asyncio
import json
import os
import tempfile

from helper_poller import ConfigPoller


def write_config(path, **config):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(config, fh)
    os.replace(tmp, path)


async def handle_requests(poller, count):
    answers = []
    for n in range(count):
        await asyncio.sleep(0.005)
        limit = poller.config["rate_limit"]
        answers.append("throttled" if n >= limit else "ok")
    return answers


async def main(workdir):
    path = os.path.join(workdir, "features.json")
    write_config(path, rate_limit=3, banner="winter sale")
    async with ConfigPoller(path) as poller:
        print("v1:", poller.config, await handle_requests(poller, 4))
        await asyncio.to_thread(write_config, path, rate_limit=5, banner="new year")
        config = await poller.wait_for_version(2)
        print("v2:", config, await handle_requests(poller, 6))
    print("final version:", poller.version)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="blind2-config-") as workdir:
        asyncio.run(main(workdir))
