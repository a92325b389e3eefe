"""Sync Amadeus SDK wrapper. The SDK has no async flavour, so the watcher
calls these functions through asyncio.to_thread."""
from dataclasses import dataclass

from amadeus import Client, ResponseError


@dataclass(frozen=True)
class Route:
    origin: str
    destination: str
    depart: str  # YYYY-MM-DD
    max_price: float


def make_client(client_id: str, client_secret: str) -> Client:
    return Client(client_id=client_id, client_secret=client_secret, hostname="production")


def cheapest_offer(client: Client, route: Route) -> dict | None:
    try:
        resp = client.shopping.flight_offers_search.get(
            originLocationCode=route.origin,
            destinationLocationCode=route.destination,
            departureDate=route.depart,
            adults=1,
            currencyCode="EUR",
            max=20,
        )
    except ResponseError:
        return None
    offers = sorted(resp.data, key=lambda o: float(o["price"]["grandTotal"]))
    return offers[0] if offers else None
