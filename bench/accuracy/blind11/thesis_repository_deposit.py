"""Thesis deposit service in front of the university's DSpace 7 repository (FastAPI)."""
import asyncio
import os
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException, Request, UploadFile
from ldap3 import SAFE_SYNC, Connection, Server
from ldap3.utils.conv import escape_filter_chars
from pydantic import BaseModel

DSPACE = "https://repository.university.example/server/api"
CROSSREF = "https://api.crossref.org"
THESES = "6f1c1a52-3d0e-4a8e-9b57-2f0d3c9e1b11"
PEOPLE = "ou=people,dc=university,dc=example"

directory = Connection(
    Server("ldaps://ldap.university.example"), user="cn=thesis-deposit,ou=services,dc=university,dc=example",
    password=os.environ.get("LDAP_PASSWORD"), client_strategy=SAFE_SYNC, auto_bind=True,
)


async def _login(client: httpx.AsyncClient) -> str:
    resp = await client.post(
        "/authn/login", data={"user": "deposit-bot@university.example", "password": os.environ["DSPACE_PASSWORD"]}
    )
    resp.raise_for_status()
    return resp.headers["Authorization"]


def dspace_token_sync() -> str:
    """Also used by the nightly embargo-lift script."""
    async def login() -> str:
        async with httpx.AsyncClient(base_url=DSPACE, timeout=20) as client:
            return await _login(client)
    return asyncio.run(login())


class Deposit(BaseModel):
    title: str
    abstract: str
    degree: str
    supervisor: str
    embargo_months: int = 0
    related_dois: list[str] = []


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.dspace = httpx.AsyncClient(base_url=DSPACE, timeout=120)
    app.state.crossref = httpx.AsyncClient(
        base_url=CROSSREF, timeout=15, headers={"User-Agent": "thesis-deposit/2.1 (mailto:repository@university.example)"}
    )
    app.state.token = await _login(app.state.dspace)
    yield
    await app.state.crossref.aclose()
    await app.state.dspace.aclose()


app = FastAPI(lifespan=lifespan)


async def current_student(x_remote_user: str = Header(...)) -> dict:
    _, _, entries, _ = directory.search(  # bug: ADC101
        PEOPLE, f"(uid={escape_filter_chars(x_remote_user)})", attributes=["cn", "mail", "eduPersonAffiliation"]
    )
    if not entries or "student" not in entries[0]["attributes"]["eduPersonAffiliation"]:
        raise HTTPException(403, "only registered students can deposit")
    attrs = entries[0]["attributes"]
    return {"uid": x_remote_user, "name": attrs["cn"][0], "mail": attrs["mail"][0]}


async def dspace(request: Request, method: str, url: str, **kwargs) -> httpx.Response:
    client = request.app.state.dspace
    resp = await client.request(method, url, headers={"Authorization": request.app.state.token}, **kwargs)
    if resp.status_code == 401:
        request.app.state.token = dspace_token_sync()  # bug: ADC103
        resp = await client.request(method, url, headers={"Authorization": request.app.state.token}, **kwargs)
    resp.raise_for_status()
    return resp


@app.post("/deposits")
async def deposit(body: Deposit, request: Request, student: dict = Depends(current_student)):
    related = []
    for doi in body.related_dois:
        resp = await request.app.state.crossref.get(f"/works/{doi}")  # bug: ADC501
        if resp.status_code == 200:
            related.append({"value": doi, "display": resp.json()["message"]["title"][0]})
    metadata = {
        "dc.title": [{"value": body.title}],
        "dc.contributor.author": [{"value": student["name"]}],
        "dc.contributor.advisor": [{"value": body.supervisor}],
        "dc.description.abstract": [{"value": body.abstract}],
        "thesis.degree.name": [{"value": body.degree}],
        "dc.relation.isreferencedby": related,
    }
    resp = await dspace(request, "POST", "/submission/workspaceitems", params={"owningCollection": THESES},
                        json={"sections": {"traditionalpageone": metadata}})
    return {"workspace_item": resp.json()["id"], "embargo_months": body.embargo_months}


@app.post("/deposits/{item_id}/files")
async def upload_file(item_id: int, file: UploadFile, request: Request, student: dict = Depends(current_student)):
    data = await file.read()
    resp = await dspace(request, "POST", f"/submission/workspaceitems/{item_id}",
                        files={"file": (file.filename, data, file.content_type or "application/pdf")})
    return {"item": item_id, "files": len(resp.json()["sections"]["upload"]["files"])}
