"""Async Django views for a food bank's volunteer shift scheduler.

Coordinators text everyone on a shift from the dashboard and print the
day's rosters; `manage.py print_rosters` (sync) prints them in the morning.
"""
from __future__ import annotations

import asyncio
import io

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, JsonResponse
from django.shortcuts import aget_object_or_404
from django.views.decorators.http import require_POST
from twilio.rest import Client
from weasyprint import HTML

from .models import Event, Shift

twilio = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)


def render_roster(event_name: str, rows: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f"<tr><td>{t}</td><td>{role}</td><td>{name}</td></tr>" for t, role, name in rows)
    return HTML(string=f"<h1>{event_name}</h1><table>{body}</table>").write_pdf()


async def build_roster_pdf(event_id: int) -> bytes:
    event = await Event.objects.aget(pk=event_id)
    rows = [(f"{s.starts:%H:%M}", s.role, v.get_full_name())
            async for s in Shift.objects.filter(event=event).prefetch_related("volunteers").order_by("starts")
            for v in s.volunteers.all()]
    return await asyncio.to_thread(render_roster, event.name, rows)


def roster_pdf_sync(event_id: int) -> bytes:
    """Used by `manage.py print_rosters`, which runs outside any event loop."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(build_roster_pdf(event_id))
    finally:
        loop.close()


@login_required
async def roster_pdf(request: HttpRequest, event_id: int) -> FileResponse:
    pdf = roster_pdf_sync(event_id)  # bug: ADC103
    return FileResponse(io.BytesIO(pdf), filename=f"roster-{event_id}.pdf", content_type="application/pdf")


@login_required
async def roster_preview(request: HttpRequest, event_id: int) -> FileResponse:
    pdf = await build_roster_pdf(event_id)
    return FileResponse(io.BytesIO(pdf), filename=f"roster-{event_id}.pdf", as_attachment=False)


@require_POST
@login_required
async def text_shift(request: HttpRequest, shift_id: int) -> JsonResponse:
    shift = await aget_object_or_404(Shift.objects.select_related("event"), pk=shift_id)
    message = request.POST["message"][:300]
    volunteers = [v async for v in shift.volunteers.filter(profile__sms_opt_in=True).select_related("profile")]
    sids = []
    for v in volunteers:
        msg = await asyncio.to_thread(twilio.messages.create, to=v.profile.phone,  # bug: ADC501
                                      from_=settings.TWILIO_FROM, body=f"{shift.event.name}: {message}")
        sids.append(msg.sid)
    await sync_to_async(shift.log_broadcast)(request.user, message, sids)
    return JsonResponse({"sent": len(sids)})


@login_required
async def shift_counts(request: HttpRequest, event_id: int) -> JsonResponse:
    counts = await Shift.objects.filter(event_id=event_id).aaggregate(
        total=Count("id", distinct=True), unfilled=Count("id", filter=Q(volunteers__isnull=True), distinct=True))
    return JsonResponse(counts)
