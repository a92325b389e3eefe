import argparse
import asyncio
import csv
import sys

from .crawl import crawl_site


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sitecrawl")
    parser.add_argument("sites", nargs="+", help="root URLs to crawl")
    parser.add_argument("--max-pages", type=int, default=500)
    args = parser.parse_args(argv)

    out = csv.writer(sys.stdout)
    out.writerow(["site", "url", "bytes"])
    for site in args.sites:
        sizes = asyncio.run(crawl_site(site, args.max_pages))  # bug: ADC505
        for url, size in sorted(sizes.items()):
            out.writerow([site, url, size])
    return 0


if __name__ == "__main__":
    sys.exit(main())
