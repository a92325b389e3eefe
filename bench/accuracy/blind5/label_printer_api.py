"""Warehouse label server: renders shipping labels as ZPL and sends them to Zebra printers."""
import asyncio
import io
import socket

from fastapi import FastAPI, HTTPException
from PIL import Image
from pydantic import BaseModel

PRINTERS = {"dock-1": ("10.20.0.11", 9100), "dock-2": ("10.20.0.12", 9100)}
app = FastAPI()
printer_locks = {name: asyncio.Lock() for name in PRINTERS}


class Label(BaseModel):
    printer: str
    tracking: str
    address: list[str]
    copies: int = 1


def render_zpl(label: Label) -> bytes:
    lines = [f"^FO50,{60 + 40 * i}^A0N,32,32^FD{text}^FS" for i, text in enumerate(label.address)]
    body = "".join(lines) + f"^FO50,400^BCN,120,Y,N,N^FD{label.tracking}^FS"
    return (f"^XA^PQ{label.copies}" + body + "^XZ").encode()


def _send_zpl(host: str, port: int, payload: bytes) -> None:
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(payload)


def logo_to_grf(png: bytes) -> str:
    img = Image.open(io.BytesIO(png)).convert("1")
    row_bytes = (img.width + 7) // 8
    return f"~DGR:LOGO.GRF,{row_bytes * img.height},{row_bytes}," + img.tobytes().hex().upper()


async def send_to_printer(name: str, payload: bytes) -> None:
    host, port = PRINTERS[name]
    async with printer_locks[name]:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(payload)
            await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()


@app.post("/labels")
async def print_label(label: Label):
    if label.printer not in PRINTERS:
        raise HTTPException(404, "unknown printer")
    await send_to_printer(label.printer, render_zpl(label))
    return {"queued": label.tracking}


@app.post("/labels/urgent")
async def print_urgent(label: Label):
    if label.printer not in PRINTERS:
        raise HTTPException(404, "unknown printer")
    one_at_a_time = asyncio.Semaphore(1)  # bug: ADC504
    async with one_at_a_time:
        host, port = PRINTERS[label.printer]
        _send_zpl(host, port, render_zpl(label))  # bug: ADC101
    return {"printed": label.tracking}


@app.post("/printers/{name}/logo")
async def upload_logo(name: str, png: bytes):
    if name not in PRINTERS:
        raise HTTPException(404, "unknown printer")
    grf = await asyncio.to_thread(logo_to_grf, png)
    await send_to_printer(name, grf.encode())
    return {"ok": True}
