"""IFTMIN booking messages dropped by the carriers' VAN on the EDI share."""
import os

import smbclient

smbclient.ClientConfig(username="svc-dock", password=os.environ.get("EDI_SMB_PASSWORD"))


def list_pending(share: str) -> list[str]:
    return sorted(name for name in smbclient.listdir(share) if name.endswith(".edi"))


def read_manifest(share: str, ref: str) -> list[dict]:
    with smbclient.open_file(f"{share}\\{ref}.edi", mode="r", encoding="latin-1") as fh:
        raw = fh.read()
    return _goods_items(raw)


def _goods_items(raw: str) -> list[dict]:
    items: list[dict] = []
    current: dict | None = None
    for segment in raw.split("'"):
        tag, _, rest = segment.strip().partition("+")
        if tag == "GID":
            qty, _, package = rest.split("+")[0].partition(":")
            current = {"qty": int(qty or 0), "package": package, "description": ""}
            items.append(current)
        elif tag == "FTX" and current is not None:
            current["description"] = rest.split("+")[-1].replace("?", "")
    return items
