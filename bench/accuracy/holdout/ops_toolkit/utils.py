import json
import os
import time

import requests

STATE_FILE = os.path.expanduser("~/.ops-toolkit.json")


def load_state() -> dict:
    try:
        with open(STATE_FILE) as fh:
            return json.load(fh)
    except FileNotFoundError:
        return {}


def save_state(state: dict) -> None:
    with open(STATE_FILE, "w") as fh:
        json.dump(state, fh, indent=2)


def wait_for_http(url: str, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    return False


def service_urls(state: dict) -> dict[str, str]:
    return {name: f"http://{host}/healthz" for name, host in state.get("services", {}).items()}
