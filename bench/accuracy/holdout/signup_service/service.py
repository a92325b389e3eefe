import bcrypt
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, EmailStr

from .db import AsyncSession, get_session
from .models import Account
from .repo import AccountRepo

router = APIRouter(prefix="/accounts")


class Signup(BaseModel):
    email: EmailStr
    password: str


@router.post("", status_code=201)
async def register(body: Signup, session: AsyncSession = Depends(get_session)):
    repo = AccountRepo(session)
    if await repo.by_email(body.email):
        raise HTTPException(status_code=409, detail="email already registered")
    pw_hash = bcrypt.hashpw(body.password.encode(), bcrypt.gensalt(rounds=12))  # bug: ADC101
    account = await repo.add(Account(email=body.email, pw_hash=pw_hash))
    session.commit()  # bug: ADC201
    return {"id": account.id}


@router.post("/deactivate")
async def deactivate(ids: list[int], session: AsyncSession = Depends(get_session)):
    changed = await AccountRepo(session).deactivate_many(ids)
    return {"deactivated": changed}
