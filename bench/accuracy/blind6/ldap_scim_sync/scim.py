"""Minimal SCIM 2.0 client."""
import httpx

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"


class ScimClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        self.http = httpx.AsyncClient(base_url=base_url, headers=self.headers, timeout=20)

    async def upsert_user(self, uid: str, email: str, name: str, active: bool) -> str:
        body = {"schemas": [SCIM_USER], "userName": uid, "displayName": name, "active": active,
                "emails": [{"value": email, "primary": True}]}
        async with httpx.AsyncClient(base_url=self.base_url, headers=self.headers) as http:  # bug: ADC402
            found = await http.get("/Users", params={"filter": f'userName eq "{uid}"'})
            hits = found.json().get("Resources", [])
            if hits:
                resp = await http.put(f"/Users/{hits[0]['id']}", json=body)
            else:
                resp = await http.post("/Users", json=body)
        resp.raise_for_status()
        return resp.json()["id"]

    async def set_group_members(self, group_id: str, member_ids: list[str]) -> None:
        op = {"op": "replace", "path": "members", "value": [{"value": m} for m in member_ids]}
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op]}
        resp = await self.http.patch(f"/Groups/{group_id}", json=body)
        resp.raise_for_status()

    async def group_ids(self) -> dict[str, str]:
        resp = await self.http.get("/Groups", params={"count": 1000})
        return {g["displayName"]: g["id"] for g in resp.json().get("Resources", [])}

    async def aclose(self) -> None:
        await self.http.aclose()
