"""Small helpers shared by the enricher."""
import csv
import ipaddress
import json
import os

GEOIP_CSV = os.environ.get("GEOIP_CSV", "/data/geoip-country.csv")


def _load_ranges(path):
    ranges = []
    with open(path, newline="") as fh:
        for network, country in csv.reader(fh):
            ranges.append((ipaddress.ip_network(network), country))
    return ranges


def lookup_country(ip):
    addr = ipaddress.ip_address(ip)
    for net, country in _load_ranges(GEOIP_CSV):
        if addr in net:
            return country
    return None


def parse_event(raw: bytes) -> dict:
    event = json.loads(raw)
    event.setdefault("props", {})
    return event
