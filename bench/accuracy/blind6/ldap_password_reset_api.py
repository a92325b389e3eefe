"""Self-service password reset: emails a one-time code, then sets the LDAP password."""
import asyncio
import secrets
import smtplib
import time
from email.message import EmailMessage

from ldap3 import MODIFY_REPLACE, Connection, Server
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

LDAP = Server("ldaps://ldap.example.org", use_ssl=True)
BIND_DN, BIND_PW = "cn=reset-svc,ou=services,dc=example,dc=org", "x"
CODE_TTL = 900

_codes: dict[str, tuple[str, float]] = {}
_codes_lock = asyncio.Lock()
_send_slots = asyncio.Semaphore(4)


def _lookup_mail(uid: str) -> str | None:
    with Connection(LDAP, BIND_DN, BIND_PW, auto_bind=True) as conn:
        conn.search("ou=people,dc=example,dc=org", f"(uid={escape_filter_chars(uid)})", attributes=["mail"])
        return str(conn.entries[0].mail) if conn.entries else None


def _set_password(uid: str, new: str) -> bool:
    with Connection(LDAP, BIND_DN, BIND_PW, auto_bind=True) as conn:
        dn = f"uid={escape_rdn(uid)},ou=people,dc=example,dc=org"
        return conn.modify(dn, {"userPassword": [(MODIFY_REPLACE, [new])]})


def _send_code(to: str, code: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "it@example.org", to, "Your password reset code"
    msg.set_content(f"Your code is {code}. It expires in 15 minutes.")
    with smtplib.SMTP("smtp.example.org", 587, timeout=10) as smtp:
        smtp.starttls()
        smtp.send_message(msg)


async def request_code(request: Request) -> JSONResponse:
    uid = (await request.json())["uid"]
    mail = await asyncio.to_thread(_lookup_mail, uid)
    if mail:
        code = f"{secrets.randbelow(10**6):06d}"
        async with _codes_lock:
            _codes[uid] = (code, time.monotonic() + CODE_TTL)
        async with _send_slots:
            await asyncio.to_thread(_send_code, mail, code)
    return JSONResponse({"sent": True})


async def reset(request: Request) -> JSONResponse:
    body = await request.json()
    async with _codes_lock:
        code, expires = _codes.get(body["uid"], ("", 0.0))
        valid = secrets.compare_digest(code, body["code"]) and time.monotonic() < expires
        if valid:
            del _codes[body["uid"]]
    if not valid:
        return JSONResponse({"error": "invalid or expired code"}, status_code=400)
    loop = asyncio.get_running_loop()
    ok = await loop.run_in_executor(None, _set_password, body["uid"], body["password"])
    return JSONResponse({"changed": ok}, status_code=200 if ok else 500)


app = Starlette(routes=[Route("/reset/code", request_code, methods=["POST"]),
                        Route("/reset", reset, methods=["POST"])])
