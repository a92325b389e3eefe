"""MLLP listener that receives HL7 v2 ADT messages from the hospital's
interface engine, archives them and forwards them to the FHIR facade.

Runs 24/7 on the integration host.
"""
import asyncio
import logging
from pathlib import Path

import hl7
import httpx

log = logging.getLogger("mllp")

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"
ARCHIVE_DIR = Path("/var/lib/mllp/archive")
FHIR_FACADE = "http://fhir-facade.internal:8080/hl7v2"


def frame(payload: str) -> bytes:
    return SB + payload.encode() + EB + CR


def make_ack(msg: hl7.Message, code: str) -> str:
    msh = msg.segment("MSH")
    return "\r".join([
        f"MSH|^~\\&|MLLP|HOSP|{msh[3]}|{msh[4]}|{msh[7]}||ACK^{msh[9][0][1]}|{msh[10]}|P|2.5",
        f"MSA|{code}|{msh[10]}",
    ])


class MllpServer:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def forward(self, raw: str) -> None:
        resp = await self.http.post(FHIR_FACADE, content=raw, headers={"Content-Type": "x-application/hl7-v2+er7"})
        resp.raise_for_status()

    async def handle_message(self, data: bytes, writer: asyncio.StreamWriter) -> None:
        raw = data.strip(SB + EB + CR).decode("utf-8", errors="replace")
        msg = hl7.parse(raw)
        control_id = str(msg.segment("MSH")[10])
        try:
            await self.forward(raw)
        except httpx.HTTPError:
            log.exception("forward failed for %s", control_id)
            writer.write(frame(make_ack(msg, "AE")))
            await writer.drain()
            return
        (ARCHIVE_DIR / f"{control_id}.hl7").write_bytes(data)  # bug: ADC101
        writer.write(frame(make_ack(msg, "AA")))
        writer.drain()  # bug: ADC201

    async def handle_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        log.info("connection from %s", peer)
        try:
            while True:
                try:
                    data = await reader.readuntil(EB + CR)
                except asyncio.IncompleteReadError:
                    break
                await self.handle_message(data, writer)
        finally:
            writer.close()
            await writer.wait_closed()
            log.info("connection from %s closed", peer)


async def main() -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        mllp = MllpServer(http)
        server = await asyncio.start_server(mllp.handle_client, "0.0.0.0", 2575)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    ARCHIVE_DIR.mkdir(parents=True, exist_ok=True)
    asyncio.run(main())
