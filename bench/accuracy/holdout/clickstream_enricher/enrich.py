import aiohttp

from .utils import lookup_country

USER_API = "http://users.internal/v1/users/{}"


async def fetch_user(user_id: str) -> dict:
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session:  # bug: ADC402
        async with session.get(USER_API.format(user_id)) as resp:
            resp.raise_for_status()
            return await resp.json()


async def enrich(event: dict) -> dict:
    user = await fetch_user(event["user_id"])
    event["plan"] = user.get("plan", "free")
    event["country"] = lookup_country(event["ip"])  # bug: ADC101
    return event
