"""`chatops` CLI for operators without Slack."""
import asyncio
import sys

from . import runner
from .bot import HOSTS, app, shutdown


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        try:
            app.start(port=3000)
        finally:
            asyncio.run(shutdown())
        return 0
    command = " ".join(argv)
    worst = 0
    for host in HOSTS:
        rc, out = runner.run(host, command)
        print(f"== {host} (rc={rc})\n{out}")
        worst = max(worst, rc)
    runner.close_all()
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
