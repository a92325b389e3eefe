"""Channel manager for a small hotel group.

Every five minutes: pull new bookings from the booking engine's REST API,
then push availability and rates to the OTA through its OpenTravel SOAP API.
"""
import asyncio
import datetime as dt
import logging
import os

import aiohttp
import zeep
import zeep.exceptions

log = logging.getLogger("channel-manager")

BOOKING_ENGINE = "https://engine.hotelgroup.example/api/v1"
OTA_WSDL = "https://connect.ota.example/OTA/HotelAvail.wsdl"


async def fetch_bookings(since: dt.datetime) -> list[dict]:
    session = aiohttp.ClientSession(headers={"X-Api-Key": os.environ["ENGINE_KEY"]})  # bug: ADC401
    async with session.get(f"{BOOKING_ENGINE}/bookings", params={"modified_since": since.isoformat()}) as resp:
        resp.raise_for_status()
        return await resp.json()


class ChannelManager:
    def __init__(self, hotel_code: str, inventory: dict[str, int]) -> None:
        self.hotel_code = hotel_code
        self.inventory = inventory
        self.soap = zeep.Client(OTA_WSDL)
        self.since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)

    def availability(self, bookings: list[dict]) -> dict[tuple[str, str], int]:
        left: dict[tuple[str, str], int] = {}
        for b in bookings:
            if b["status"] == "cancelled":
                continue
            key = (b["room_type"], b["night"])
            left[key] = left.get(key, self.inventory[b["room_type"]]) - 1
        return left

    async def push_availability(self, left: dict[tuple[str, str], int]) -> None:
        messages = [
            {"StatusApplicationControl": {"Start": night, "End": night, "InvTypeCode": room}, "BookingLimit": max(n, 0)}
            for (room, night), n in sorted(left.items())
        ]
        result = self.soap.service.OTA_HotelAvailNotif(  # bug: ADC101
            HotelCode=self.hotel_code, AvailStatusMessages={"AvailStatusMessage": messages}
        )
        if getattr(result, "Errors", None):
            log.error("OTA rejected availability: %s", result.Errors)

    async def push_rates(self, rates: list[dict]) -> None:
        result = await asyncio.to_thread(
            self.soap.service.OTA_HotelRateAmountNotif, HotelCode=self.hotel_code, RateAmountMessages=rates
        )
        if getattr(result, "Errors", None):
            log.error("OTA rejected rates: %s", result.Errors)

    async def cycle(self) -> None:
        started = dt.datetime.now(dt.timezone.utc)
        bookings = await fetch_bookings(self.since)
        if bookings:
            await self.push_availability(self.availability(bookings))
        self.since = started

    async def availability_loop(self) -> None:
        while True:
            try:
                await self.cycle()
            except (aiohttp.ClientError, zeep.exceptions.Error) as exc:
                log.warning("cycle failed, will retry: %s", exc)
            await asyncio.sleep(300)

    async def rates_loop(self) -> None:
        while True:
            rates = [{"RatePlanCode": "BAR", "InvTypeCode": room, "Amount": price}
                     for room, price in sorted(BASE_RATES.items())]
            try:
                await self.push_rates(rates)
            except zeep.exceptions.Error as exc:
                log.warning("rate push failed: %s", exc)
            await asyncio.sleep(24 * 3600)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.availability_loop())
            tg.create_task(self.rates_loop())


BASE_RATES = {"DBL": 149.0, "TWN": 139.0, "STE": 289.0}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    manager = ChannelManager("HG-AMS-01", {"DBL": 40, "TWN": 25, "STE": 6})
    asyncio.run(manager.run())
