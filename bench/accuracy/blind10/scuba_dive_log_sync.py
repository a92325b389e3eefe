"""Dive club logbook sync: downloads new dives from a dive computer with
libdivecomputer's `dctool` and uploads them to the club's logbook. Each dive
is uploaded after the previous one, because the logbook links a repetitive
dive to the dive before it (surface interval, residual nitrogen)."""
import argparse
import asyncio
import getpass
import sys
import xml.etree.ElementTree as ET

import httpx

LOGBOOK = "https://logbook.divingclub.example/api/v1"


async def download(family: str, model: str, fingerprint: str | None) -> list[dict]:
    args = ["dctool", "-f", family, "-m", model, "download", "-o", "-", "-x"]
    if fingerprint:
        args[1:1] = ["-p", fingerprint]
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    if proc.returncode:
        sys.exit(f"dctool failed: {err.decode(errors='replace')}")
    dives = []
    for d in ET.fromstring(out).iter("dive"):
        dives.append({
            "fingerprint": d.findtext("fingerprint"),
            "started": d.findtext("datetime"),
            "max_depth_m": float(d.findtext("maxdepth")),
            "duration_s": int(d.findtext("divetime")),
            "samples": [(int(s.findtext("time")), float(s.findtext("depth"))) for s in d.iter("sample")],
        })
    return sorted(dives, key=lambda d: d["started"])


async def post_with_retry(client: httpx.AsyncClient, url: str, payload: dict) -> dict:
    for attempt in range(5):
        try:
            resp = await client.post(url, json=payload)
            if resp.status_code < 500:
                resp.raise_for_status()
                return resp.json()
        except httpx.TransportError:
            pass
        await asyncio.sleep(2 ** attempt)
    raise RuntimeError(f"logbook unavailable after 5 attempts: {url}")


async def main(member: str, password: str, family: str, model: str) -> None:
    async with httpx.AsyncClient(base_url=LOGBOOK, timeout=30) as client:
        token = (await post_with_retry(client, "/auth", {"member": member, "password": password}))["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        last = (await client.get(f"/members/{member}/dives/latest")).json()
        dives = await download(family, model, last.get("fingerprint"))
        if not dives:
            print("no new dives")
            return
        previous_id = last.get("id")
        for dive in dives:
            created = await post_with_retry(client, f"/members/{member}/dives", {**dive, "previous_dive": previous_id})
            previous_id = created["id"]
            print(f"uploaded {dive['started']} ({dive['max_depth_m']:.1f} m) as #{created['number']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--family", default="suunto_eonsteel")
    parser.add_argument("--model", default="0")
    args = parser.parse_args()
    member = input("Club membership number: ").strip()
    password = getpass.getpass("Logbook password: ")
    asyncio.run(main(member, password, args.family, args.model))
