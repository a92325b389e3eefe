from fastapi import APIRouter, Depends, HTTPException

from accounts.repo import AccountRepo, get_repo
from accounts.validation import display_name, normalize_username

router = APIRouter(prefix="/accounts")


@router.post("/")
async def create_account(body: dict, repo: AccountRepo = Depends(get_repo)):
    try:
        username = normalize_username(body["username"])
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if await repo.exists(username):
        raise HTTPException(status_code=409, detail="username taken")
    name = display_name(body.get("first", ""), body.get("last", ""))
    account_id = await repo.create(username, name)
    return {"id": account_id, "username": username, "name": name}


@router.get("/{username}")
async def get_account(username: str, repo: AccountRepo = Depends(get_repo)):
    account = await repo.get(normalize_username(username))
    if account is None:
        raise HTTPException(status_code=404)
    return account
