"""Pulls users from the corporate directory's REST bridge. Sync on purpose:
this module is only used by the `manage.py sync_ldap` command."""

import logging
import time

import requests

log = logging.getLogger(__name__)

BRIDGE = "https://ldap-bridge.corp.example.com/users"


def fetch_directory(page_size=500):
    users, page = [], 1
    while True:
        resp = requests.get(BRIDGE, params={"page": page, "size": page_size}, timeout=30)
        resp.raise_for_status()
        batch = resp.json()["users"]
        if not batch:
            return users
        users.extend(batch)
        page += 1
        time.sleep(0.2)
