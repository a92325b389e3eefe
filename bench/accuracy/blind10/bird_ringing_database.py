"""Bird ringing group database (Django 5 async views): new ringings with
rings issued in series order, recoveries checked against the EURING data
bank, and site summaries."""
import json
import threading

import requests
from asgiref.sync import sync_to_async
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from ringing.models import Recovery, Ringing, RingSeries, Site

EURING_URL = "https://databank.euring.example/api/v2/rings"
_alloc_lock = threading.Lock()


def allocate_ring(series_code: str) -> str:
    """Rings are issued strictly in sequence; the field laptops' sync tool calls this too."""
    with _alloc_lock, transaction.atomic():
        series = RingSeries.objects.select_for_update().get(code=series_code)
        number = series.next_number
        series.next_number += 1
        series.save(update_fields=["next_number"])
    return f"{series.prefix}{number:07d}"


def euring_lookup(ring: str) -> dict | None:
    resp = requests.get(EURING_URL, params={"ring": ring}, timeout=20)
    if resp.status_code == 404:
        return None
    resp.raise_for_status()
    return resp.json()


def export_season(year: int) -> int:
    """Used by the `submit_season` management command (sync, run from cron)."""
    rows = list(Ringing.objects.filter(date__year=year).values("ring", "species", "age", "site__code", "date"))
    resp = requests.post(
        EURING_URL.replace("/rings", "/submissions"), data=json.dumps(rows, default=str),
        headers={"Content-Type": "application/json"}, timeout=300,
    )
    resp.raise_for_status()
    return len(rows)


@require_POST
async def record_ringing(request):
    user = await request.auser()
    data = json.loads(request.body)
    try:
        site = await Site.objects.aget(code=data["site"])
    except Site.DoesNotExist:
        return HttpResponseBadRequest("unknown site")
    ring = await sync_to_async(allocate_ring)(data["series"])
    ringing = await Ringing.objects.acreate(
        ring=ring, species=data["species"], age=data["age"], site=site, ringer_id=user.id,
        wing_mm=data.get("wing_mm"), mass_g=data.get("mass_g"),
    )
    return JsonResponse({"ring": ring, "id": ringing.id}, status=201)


@require_POST
async def report_recovery(request):
    data = json.loads(request.body)
    ring = data["ring"].upper().replace(" ", "")
    original = await Ringing.objects.filter(ring=ring).select_related("site").afirst()
    if original is not None:
        origin = {"site": original.site.code, "date": original.date.isoformat(), "species": original.species}
    else:
        # ringed by another scheme: ask the data bank, off the event loop
        origin = await sync_to_async(euring_lookup, thread_sensitive=False)(ring)
    recovery = await Recovery.objects.acreate(
        ring=ring, finder=data["finder"], found_on=data["date"], lat=data["lat"], lon=data["lon"],
        circumstances=data.get("circumstances", ""), origin=origin or {},
    )
    return JsonResponse({"recovery": recovery.id, "origin": origin}, status=201)


@require_GET
async def site_summary(request, code: str):
    year = int(request.GET.get("year", 0)) or None
    qs = Ringing.objects.filter(site__code=code)
    if year:
        qs = qs.filter(date__year=year)
    totals = {}
    async for row in qs.values("species").annotate(n=Count("id")).order_by("-n"):
        totals[row["species"]] = row["n"]
    retraps = await qs.filter(is_retrap=True).acount()
    return JsonResponse({"site": code, "year": year, "species": totals, "retraps": retraps})
