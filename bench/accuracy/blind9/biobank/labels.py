"""Zebra label printing (ZPL over raw TCP port 9100)."""
from __future__ import annotations

import asyncio
import socket

ZPL_TEMPLATE = (
    "^XA^CI28^FO20,20^BQN,2,4^FDQA,{barcode}^FS"
    "^FO150,30^A0N,28,28^FD{barcode}^FS"
    "^FO150,70^A0N,22,22^FD{kind} {volume_ul}uL^FS"
    "^FO150,100^A0N,22,22^FD{collected}^FS^XZ"
)


def render(sample: dict) -> bytes:
    return ZPL_TEMPLATE.format(**sample).encode("utf-8")


def print_label(printer_host: str, sample: dict, timeout: float = 5.0) -> None:
    """Blocking: opens a TCP connection to the printer and sends the ZPL."""
    with socket.create_connection((printer_host, 9100), timeout=timeout) as sock:
        sock.sendall(render(sample))


async def print_label_async(printer_host: str, sample: dict) -> None:
    reader, writer = await asyncio.open_connection(printer_host, 9100)
    try:
        writer.write(render(sample))
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
