"""Orchestrates one sync run."""
import asyncio
import logging
import os

from . import ldap_source
from .scim import ScimClient

log = logging.getLogger("ldap_scim_sync")


async def sync_once(scim: ScimClient) -> None:
    url, bind_dn, password = os.environ["LDAP_URL"], os.environ["LDAP_BIND_DN"], os.environ["LDAP_PASSWORD"]
    people = ldap_source.fetch_people(url, bind_dn, password)  # bug: ADC101
    groups = await asyncio.to_thread(ldap_source.fetch_groups, url, bind_dn, password)

    limit = asyncio.Semaphore(10)

    async def push(p: ldap_source.Person) -> tuple[str, str]:
        async with limit:
            return p.uid, await scim.upsert_user(p.uid, p.email, p.display_name, p.active)

    scim_ids = dict(await asyncio.gather(*(push(p) for p in people)))
    existing = await scim.group_ids()
    for name, members in groups.items():
        if name not in existing:
            log.info("group %s not provisioned in SCIM, skipping", name)
            continue
        await scim.set_group_members(existing[name], [scim_ids[m] for m in members if m in scim_ids])  # bug: ADC501
    log.info("synced %d people and %d groups", len(scim_ids), len(groups))


async def run() -> None:
    scim = ScimClient(os.environ["SCIM_URL"], os.environ["SCIM_TOKEN"])
    try:
        await sync_once(scim)
    finally:
        await scim.aclose()


if __name__ == "__main__":
    asyncio.run(run())
