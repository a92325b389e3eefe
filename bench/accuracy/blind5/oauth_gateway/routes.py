import secrets
import urllib.parse

import httpx
from itsdangerous import URLSafeSerializer
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

CLIENT_ID = "dashboards"


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.keys.current, salt="session")


async def login(request: Request):
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({"client_id": CLIENT_ID, "response_type": "code", "scope": "openid email",
                                    "redirect_uri": str(request.url_for("callback")), "state": state})
    resp = RedirectResponse(f"{request.app.state.idp_url}/protocol/openid-connect/auth?{query}")
    resp.set_cookie("oauth_state", state, httponly=True, secure=True)
    return resp


async def callback(request: Request):
    if request.query_params.get("state") != request.cookies.get("oauth_state"):
        return JSONResponse({"error": "state mismatch"}, status_code=400)
    async with httpx.AsyncClient(base_url=request.app.state.idp_url, timeout=10) as idp:  # bug: ADC402
        token = await idp.post("/protocol/openid-connect/token", data={
            "grant_type": "authorization_code", "code": request.query_params["code"],
            "client_id": CLIENT_ID, "redirect_uri": str(request.url_for("callback")),
        })
        token.raise_for_status()
        userinfo = await idp.get("/protocol/openid-connect/userinfo",
                                 headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    subject = userinfo.json()["email"]
    request.app.state.audit.log_login(subject, request.client.host)  # bug: ADC201
    resp = RedirectResponse("/")
    resp.set_cookie("session", _signer(request).dumps({"sub": subject}), httponly=True, secure=True)
    return resp


async def logout(request: Request):
    session = _signer(request).loads(request.cookies.get("session", ""))
    await request.app.state.audit.log_logout(session["sub"])
    resp = RedirectResponse("/login")
    resp.delete_cookie("session")
    return resp


async def rotate_keys(request: Request):
    if not secrets.compare_digest(request.headers.get("X-Admin-Token", ""), request.app.state.admin_token):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    request.app.state.keys.rotate_sync()  # bug: ADC103
    return JSONResponse({"keys": len(request.app.state.keys.keys)})
