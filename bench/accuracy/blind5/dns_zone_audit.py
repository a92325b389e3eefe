"""Audit DNS zones: every record in the zone file must resolve on the public resolvers."""
import argparse
import asyncio
import sys

import dns.asyncresolver
import dns.resolver
import dns.zone

PUBLIC = ("1.1.1.1", "8.8.8.8", "9.9.9.9")


def load_zone(path, origin):
    zone = dns.zone.from_file(path, origin=origin, relativize=False)
    return [(str(name), rdataset.rdtype.name) for name, rdataset in zone.iterate_rdatasets()
            if rdataset.rdtype.name in ("A", "AAAA", "CNAME", "MX")]


def public_resolver(server):
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [server]
    return resolver


async def check_record(server, resolver, sem, name, rtype):
    async with sem:
        try:
            await resolver.resolve(name, rtype, lifetime=5)
            return None
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.LifetimeTimeout) as exc:
            return f"[{server}] {name} {rtype}: {exc.__class__.__name__}"


async def check_delegation(origin):
    ns = dns.resolver.resolve(origin, "NS")  # bug: ADC101
    return sorted(str(r.target) for r in ns)


async def audit(records, origin, expected_ns):
    problems = []
    delegated = await check_delegation(origin)
    if delegated != sorted(expected_ns):
        problems.append(f"{origin}: NS {delegated} != {sorted(expected_ns)}")
    sem = asyncio.Semaphore(50)
    resolvers = {server: public_resolver(server) for server in PUBLIC}
    results = await asyncio.gather(
        *(check_record(server, r, sem, n, t) for server, r in resolvers.items() for n, t in records)
    )
    problems.extend(p for p in results if p)
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("zones", nargs="+", help="origin=path/to/zonefile")
    parser.add_argument("--ns", action="append", default=[])
    args = parser.parse_args(argv)
    failed = False
    for spec in args.zones:
        origin, path = spec.split("=", 1)
        records = load_zone(path, origin)
        problems = asyncio.run(audit(records, origin, args.ns))  # bug: ADC505
        for p in problems:
            print(p)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
