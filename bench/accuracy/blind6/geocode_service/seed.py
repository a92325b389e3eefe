"""`python -m geocode_service.seed FILE`: warm the upstream with known addresses.

Run by hand from a deploy shell, outside the service process.
"""
import csv
import sys
import time

import requests

SERVICE = "http://127.0.0.1:8080"


def seed(path: str, pause: float = 0.2) -> int:
    done = 0
    with open(path, newline="") as fh, requests.Session() as http:
        for row in csv.DictReader(fh):
            http.get(f"{SERVICE}/geocode", params={"q": row["address"]}, timeout=10)
            done += 1
            time.sleep(pause)
    return done


if __name__ == "__main__":
    print(f"seeded {seed(sys.argv[1])} addresses")
