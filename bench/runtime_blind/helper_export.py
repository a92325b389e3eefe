"""Snapshot serialisation used by the export job (b05)."""
import json


def render_snapshot(records: list[dict]) -> str:
    return json.dumps({"count": len(records), "records": records}, sort_keys=True)  # EXPECT: blocking-call


def summary(records: list[dict]) -> dict:
    total = sum(r["price_cents"] for r in records)
    return {"records": len(records), "total_cents": total}
