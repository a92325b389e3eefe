"""Avatar and account endpoints for the profile service."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, UploadFile
from pydantic import BaseModel

from app.deps import get_db

log = logging.getLogger(__name__)
router = APIRouter(prefix="/profile")

AVATAR_DIR = Path(os.environ.get("AVATAR_DIR", "/var/lib/profile/avatars"))
MAX_AVATAR_BYTES = 2 * 1024 * 1024
PBKDF2_ROUNDS = 600_000


class SignupForm(BaseModel):
    email: str
    password: str


def _avatar_path(user_id: int, suffix: str) -> Path:
    return AVATAR_DIR / f"{user_id}-{uuid.uuid4().hex}{suffix}"


@router.post("/{user_id}/avatar")
async def upload_avatar(user_id: int, file: UploadFile, db=Depends(get_db)):
    data = await file.read()
    if len(data) > MAX_AVATAR_BYTES:
        raise HTTPException(status_code=413, detail="avatar too large")
    suffix = Path(file.filename or "avatar.png").suffix or ".png"
    dest = _avatar_path(user_id, suffix)
    dest.write_bytes(data)  # bug: ADC101
    await db.execute(
        "UPDATE users SET avatar = $1 WHERE id = $2", dest.name, user_id
    )
    log.info("stored avatar for %s at %s", user_id, dest)
    return {"avatar": dest.name}


@router.post("/signup")
async def signup(form: SignupForm, db=Depends(get_db)):
    existing = await db.fetchval("SELECT id FROM users WHERE email = $1", form.email)
    if existing:
        raise HTTPException(status_code=409, detail="email taken")
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", form.password.encode(), salt, PBKDF2_ROUNDS)  # bug: ADC101
    user_id = await db.fetchval(
        "INSERT INTO users (email, pw_salt, pw_hash) VALUES ($1, $2, $3) RETURNING id",
        form.email,
        salt,
        digest,
    )
    return {"id": user_id}


@router.get("/{user_id}")
async def get_profile(user_id: int, db=Depends(get_db)):
    row = await db.fetchrow("SELECT id, email, avatar FROM users WHERE id = $1", user_id)
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)
