"""Command line used by the depot's overnight job: process the day's runs."""
import argparse
import asyncio
import logging
import sys

from . import worker

log = logging.getLogger("ocl.cli")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ocl-process")
    parser.add_argument("runs", nargs="+", help="run ids, e.g. 2026-12-03-L4-north")
    parser.add_argument("--fail-fast", action="store_true")
    args = parser.parse_args(argv)
    failed = 0
    for run_id in args.runs:
        try:
            findings = asyncio.run(worker.process_run(run_id))  # bug: ADC505
        except Exception:
            log.exception("run %s failed", run_id)
            failed += 1
            if args.fail_fast:
                break
            continue
        print(f"{run_id}: {findings} findings")
    return 1 if failed else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
