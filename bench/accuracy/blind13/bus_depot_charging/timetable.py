"""Bus blocks leaving the depot, from the transit agency's duty roster API.

The depot office also runs this module as a script to print tomorrow's
pull-out list on the dispatcher's printer, which is why it uses `requests`.
"""
from __future__ import annotations

import os
import sys
from datetime import date, datetime, timedelta

import requests

DUTIES_API = "https://duties.northgate-transit.example/api/v2"


def first_departures(depot: str, token: str, day: date | None = None) -> dict[str, datetime]:
    """Pull-out time of every bus that has a block starting at `depot`."""
    day = day or date.today() + timedelta(days=1)
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {token}"
        resp = s.get(
            f"{DUTIES_API}/depots/{depot}/blocks",
            params={"date": day.isoformat()},
            timeout=30,
        )
        resp.raise_for_status()
        blocks = resp.json()["blocks"]
    out: dict[str, datetime] = {}
    for block in blocks:
        bus = block.get("vehicle")
        if bus and bus not in out:
            out[bus] = datetime.fromisoformat(block["pull_out"])
    return out


def main(argv: list[str]) -> int:
    departures = first_departures(argv[1], os.environ["DUTIES_TOKEN"])
    for bus, when in sorted(departures.items(), key=lambda kv: kv[1]):
        print(f"{when:%H:%M}  {bus}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
