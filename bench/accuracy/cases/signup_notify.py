import asyncio
import logging

from fastapi import APIRouter, BackgroundTasks, Depends
from pydantic import BaseModel, EmailStr

from app.db import Database, get_database
from app.mailer import send_mail

router = APIRouter()
logger = logging.getLogger(__name__)


class Registration(BaseModel):
    email: EmailStr
    name: str


async def notify_sales(email: str, name: str) -> None:
    await send_mail("sales@example.com", subject="New signup", body=f"{name} <{email}>")


async def send_welcome(email: str, name: str) -> None:
    await send_mail(email, subject="Welcome!", body=f"Hi {name}, thanks for signing up.")


@router.post("/register", status_code=201)
async def register(form: Registration, background: BackgroundTasks,
                   db: Database = Depends(get_database)):
    user_id = await db.insert_user(form.email, form.name)
    background.add_task(send_welcome, form.email, form.name)
    notify_sales(form.email, form.name)  # bug: ADC201
    logger.info("registered user %s", user_id)
    return {"id": user_id}


@router.post("/admin/resend-welcome")
async def resend_welcome(db: Database = Depends(get_database)):
    users = await db.users_without_login()
    await asyncio.gather(*(send_welcome(u.email, u.name) for u in users))  # bug: ADC502
    return {"sent": len(users)}
