"""Report TLS certificates that expire soon.

    python tls_cert_expiry_monitor.py hosts.txt --days 21

hosts.txt holds `host[:port]` lines; mail hosts are checked with STARTTLS.
Exit status 2 when anything expires within the window (for the cron mailer).
"""
import argparse
import asyncio
import contextlib
import datetime as dt
import ssl
import sys

CTX = ssl.create_default_context()


def days_left(cert: dict) -> int:
    not_after = dt.datetime.strptime(cert["notAfter"], "%b %d %H:%M:%S %Y %Z")
    return (not_after - dt.datetime.utcnow()).days


async def check_https(host: str, port: int) -> int:
    reader, writer = await asyncio.wait_for(  # bug: ADC401
        asyncio.open_connection(host, port, ssl=CTX, server_hostname=host), timeout=10
    )
    cert = writer.get_extra_info("peercert")
    return days_left(cert)


async def check_smtp(host: str, port: int = 25) -> int:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=10)
    try:
        await reader.readline()
        writer.write(b"EHLO certcheck.example\r\n")
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line or line.startswith(b"250 "):
                break
        writer.write(b"STARTTLS\r\n")
        await writer.drain()
        await reader.readline()
        await writer.start_tls(CTX, server_hostname=host)
        return days_left(writer.get_extra_info("peercert"))
    finally:
        writer.close()
        with contextlib.suppress(ssl.SSLError, ConnectionError):
            await writer.wait_closed()


async def check(target: str) -> int:
    host, _, port = target.partition(":")
    if port in ("25", "587"):
        return await check_smtp(host, int(port))
    return await check_https(host, int(port or 443))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("hosts")
    parser.add_argument("--days", type=int, default=21)
    args = parser.parse_args()
    with open(args.hosts) as fh:
        targets = [line.strip() for line in fh if line.strip() and not line.startswith("#")]

    expiring = 0
    for target in targets:
        try:
            left = asyncio.run(check(target))  # bug: ADC505
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as exc:
            print(f"{target:40} ERROR {exc}")
            continue
        flag = "EXPIRING" if left < args.days else "ok"
        expiring += left < args.days
        print(f"{target:40} {left:5d} days  {flag}")
    return 2 if expiring else 0


if __name__ == "__main__":
    sys.exit(main())
