"""Sync management commands: `python -m ops_toolkit.manage add NAME HOST` etc."""
import argparse
import subprocess

from .utils import load_state, save_state, wait_for_http


def add(name: str, host: str) -> None:
    state = load_state()
    state.setdefault("services", {})[name] = host
    save_state(state)


def restart(name: str) -> None:
    state = load_state()
    host = state["services"][name]
    subprocess.run(["ssh", host.split(":")[0], "sudo", "systemctl", "restart", name], check=True)
    if not wait_for_http(f"http://{host}/healthz"):
        raise SystemExit(f"{name} did not come back")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add")
    a.add_argument("name")
    a.add_argument("host")
    r = sub.add_parser("restart")
    r.add_argument("name")
    args = ap.parse_args()
    if args.cmd == "add":
        add(args.name, args.host)
    else:
        restart(args.name)


if __name__ == "__main__":
    main()
