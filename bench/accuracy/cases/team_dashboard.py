import asyncio

from fastapi import APIRouter, Depends

from app.auth import current_user
from app.repos import TeamRepository, UserRepository, get_team_repo, get_user_repo

router = APIRouter()


@router.get("/teams/{team_id}/dashboard")
async def dashboard(
    team_id: int,
    teams: TeamRepository = Depends(get_team_repo),
    users: UserRepository = Depends(get_user_repo),
    me=Depends(current_user),
):
    team = await teams.get(team_id)
    member_ids = await teams.member_ids(team_id)
    members = [await users.get(uid) for uid in member_ids]  # bug: ADC501
    return {
        "team": team.name,
        "members": [{"id": m.id, "name": m.name, "role": m.role} for m in members],
        "you": me.id in member_ids,
    }


@router.get("/teams/{team_id}/members/{user_id}")
async def member(team_id: int, user_id: int, users: UserRepository = Depends(get_user_repo)):
    user = await asyncio.create_task(users.get(user_id))  # bug: ADC302
    return {"id": user.id, "name": user.name}
