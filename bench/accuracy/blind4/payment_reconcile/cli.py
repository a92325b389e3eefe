import argparse
import asyncio
import json
import os
import sys

import stripe

from .matcher import reconcile_range


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="reconcile")
    p.add_argument("days", nargs="+")
    p.add_argument("--accounts", default=os.environ.get("BANK_ACCOUNTS", ""))
    args = p.parse_args(argv)
    stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
    reports = asyncio.run(reconcile_range(args.days, args.accounts.split(",")))
    json.dump(reports, sys.stdout, indent=2)
    return 1 if any(r["unmatched"] for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
