"""Internal certificate authority front-end (Starlette).

Services post a CSR and get a 72-hour certificate signed by Vault's PKI
engine (hvac, sync). Operators can also check a certificate's OCSP status
from a shell: `python certificate_authority_api.py status < cert.pem`.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys

import httpx
import hvac
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROLE = "internal-services"
MOUNT = "pki_int"
ISSUER_PEM = os.environ.get("ISSUER_PEM", "")
OCSP_URL = os.environ.get("OCSP_URL", "http://ocsp.ca.internal")


class Issuer:
    def __init__(self) -> None:
        self.vault = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])

    async def sign(self, csr_pem: str, common_name: str, ttl: str = "72h") -> dict:
        resp = self.vault.secrets.pki.sign_certificate(  # bug: ADC101
            name=ROLE, csr=csr_pem, common_name=common_name, extra_params={"ttl": ttl}, mount_point=MOUNT)
        return resp["data"]

    async def revoke(self, serial: str) -> None:
        await asyncio.to_thread(self.vault.secrets.pki.revoke_certificate, serial, mount_point=MOUNT)


async def ocsp_status(client: httpx.AsyncClient, cert_pem: str) -> str:
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    issuer = x509.load_pem_x509_certificate(ISSUER_PEM.encode())
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()
    resp = await client.post(OCSP_URL, content=req.public_bytes(serialization.Encoding.DER),
                             headers={"Content-Type": "application/ocsp-request"})
    return ocsp.load_der_ocsp_response(resp.content).certificate_status.name.lower()


def ocsp_status_sync(cert_pem: str) -> str:
    async def _run() -> str:
        async with httpx.AsyncClient(timeout=5) as client:
            return await ocsp_status(client, cert_pem)

    return asyncio.run(_run())


async def sign(request: Request) -> JSONResponse:
    body = await request.json()
    csr = x509.load_pem_x509_csr(body["csr"].encode())
    cn = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    if not cn.endswith(".svc.internal"):
        return JSONResponse({"error": "only *.svc.internal names"}, status_code=403)
    data = await request.app.state.issuer.sign(body["csr"], cn)
    return JSONResponse({"certificate": data["certificate"], "serial": data["serial_number"]})


async def revoke(request: Request) -> JSONResponse:
    await request.app.state.issuer.revoke(request.path_params["serial"])
    return JSONResponse({"revoked": request.path_params["serial"]})


async def status(request: Request) -> JSONResponse:
    pem = (await request.body()).decode()
    state = ocsp_status_sync(pem)  # bug: ADC103
    return JSONResponse({"status": state})


async def health(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(2):
            resp = await request.app.state.http.get(f"{OCSP_URL}/health")
        return JSONResponse({"ocsp": resp.status_code == 200})
    except TimeoutError:
        return JSONResponse({"ocsp": False}, status_code=503)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    async with httpx.AsyncClient(timeout=5) as http:
        app.state.http = http
        yield


app = Starlette(routes=[Route("/sign", sign, methods=["POST"]), Route("/revoke/{serial}", revoke, methods=["POST"]),
                        Route("/status", status, methods=["POST"]), Route("/health", health)], lifespan=lifespan)
app.state.issuer = Issuer()

if __name__ == "__main__" and sys.argv[1:] == ["status"]:
    print(ocsp_status_sync(sys.stdin.read()))
