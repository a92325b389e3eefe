"""Copy room bookings from a CalDAV server into the facilities API."""
import asyncio
import sys
import threading
from datetime import datetime, timedelta, timezone

import caldav
import httpx

CALDAV_URL = "https://dav.example.org/remote.php/dav"
FACILITIES_API = "https://facilities.internal/api/v2"


class Progress:
    """Shared with the status-line thread that redraws every 200 ms."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.done = 0
        self.failed = 0

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.done, self.failed


def fetch_events(calendar: caldav.Calendar, days: int) -> list[dict]:
    start = datetime.now(timezone.utc)
    events = calendar.search(start=start, end=start + timedelta(days=days), event=True, expand=True)
    out = []
    for ev in events:
        comp = ev.icalendar_component
        out.append({"uid": str(comp["UID"]), "summary": str(comp.get("SUMMARY", "")),
                    "start": comp["DTSTART"].dt.isoformat(), "end": comp["DTEND"].dt.isoformat()})
    return out


async def push_room(calendar: caldav.Calendar, progress: Progress, days: int = 14) -> None:
    room = calendar.name
    events = await asyncio.to_thread(fetch_events, calendar, days)
    async with httpx.AsyncClient(base_url=FACILITIES_API, timeout=20) as api:
        with progress._lock:  # bug: ADC102
            resp = await api.put(f"/rooms/{room}/bookings", json={"events": events})
            if resp.is_success:
                progress.done += 1
            else:
                progress.failed += 1


def status_line(progress: Progress, total: int, stop: threading.Event) -> None:
    while not stop.wait(0.2):
        done, failed = progress.snapshot()
        sys.stderr.write(f"\r{done}/{total} rooms synced, {failed} failed")


def main() -> None:
    client = caldav.DAVClient(url=CALDAV_URL, username="sync", password=sys.argv[1])
    calendars = client.principal().calendars()
    progress = Progress()
    stop = threading.Event()
    drawer = threading.Thread(target=status_line, args=(progress, len(calendars), stop), daemon=True)
    drawer.start()
    try:
        for calendar in calendars:
            asyncio.run(push_room(calendar, progress))  # bug: ADC505
    finally:
        stop.set()
        drawer.join()
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
