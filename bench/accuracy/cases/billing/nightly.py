"""Nightly refund export, run from cron: `python -m billing.nightly 2024-05-01`."""

import csv
import sys

from .gateway import refund_report


def export(day, out_path):
    rows = refund_report(day)
    with open(out_path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "charge", "amount", "reason"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k) for k in writer.fieldnames})
    return len(rows)


if __name__ == "__main__":
    count = export(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "refunds.csv")
    print(f"exported {count} refunds")
