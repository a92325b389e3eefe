from ariadne import ObjectType, QueryType

from .upstream import crm_tier

query = QueryType()
user_type = ObjectType("User")


@query.field("user")
async def resolve_user(_obj, info, id):
    return await info.context["upstream"].user(id)


@query.field("users")
async def resolve_users(_obj, info, ids):
    upstream = info.context["upstream"]
    return await upstream.users_batch(ids)


@query.field("teamMembers")
async def resolve_team(_obj, info, team):
    upstream = info.context["upstream"]
    members = []
    for member_id in team["memberIds"]:
        members.append(await upstream.user(member_id))  # bug: ADC501
    return members


@user_type.field("orders")
async def resolve_orders(user, info):
    upstream = info.context["upstream"]
    out, cursor = [], None
    while True:
        page = await upstream.orders_for(user["id"], cursor)
        out.extend(page["items"])
        cursor = page.get("next")
        if not cursor:
            return out


@user_type.field("tier")
async def resolve_tier(user, info):
    return crm_tier(user["email"])  # bug: ADC101
