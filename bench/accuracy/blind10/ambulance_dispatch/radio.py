"""Mobile data terminal / radio gateway: pages crews and stands them down."""
import httpx

GATEWAY = "https://mdt-gateway.ambulance.example/api"


async def page_unit(http: httpx.AsyncClient, callsign: str, incident_id: int, summary: str) -> None:
    resp = await http.post(
        f"{GATEWAY}/units/{callsign}/page",
        json={"incident": incident_id, "text": summary[:160], "priority": "P1"},
    )
    resp.raise_for_status()


async def stand_down(http: httpx.AsyncClient, callsign: str, incident_id: int) -> None:
    resp = await http.post(f"{GATEWAY}/units/{callsign}/stand-down", json={"incident": incident_id})
    resp.raise_for_status()
