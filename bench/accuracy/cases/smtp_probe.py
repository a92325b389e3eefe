import asyncio
import logging

log = logging.getLogger(__name__)


async def smtp_banner(host: str, port: int = 25, timeout: float = 5.0) -> str:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)  # bug: ADC401
    banner = await asyncio.wait_for(reader.readline(), timeout)
    writer.write(b"QUIT\r\n")
    return banner.decode(errors="replace").strip()


async def smtp_supports_tls(host: str, port: int = 25) -> bool:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        await reader.readline()
        writer.write(b"EHLO probe.example.com\r\n")
        await writer.drain()
        features = []
        while True:
            line = (await reader.readline()).decode()
            features.append(line[4:].strip().upper())
            if line[3:4] != "-":
                break
        return "STARTTLS" in features
    finally:
        writer.close()
        await writer.wait_closed()


async def main(host):
    banner = await smtp_banner(host)
    tls = await smtp_supports_tls(host)
    print(host, banner, "STARTTLS" if tls else "no TLS")


if __name__ == "__main__":
    asyncio.run(main("mx.example.com"))
