"""Django async views for a wedding RSVP site (guests, meal choices, plus-ones)."""
from __future__ import annotations

import json
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from rsvp.models import Guest, Invitation

log = logging.getLogger("rsvp")


async def notify_couple(text: str) -> None:
    """Pushes a line to the couple's live dashboard (a Channels consumer)."""
    layer = get_channel_layer()
    await layer.group_send("couple-dashboard", {"type": "rsvp.event", "text": text})


@sync_to_async
def _send_guest_copy(email: str, summary: str) -> None:
    send_mail("Your RSVP", summary, settings.DEFAULT_FROM_EMAIL, [email])


@require_POST
async def rsvp(request: HttpRequest, code: str) -> JsonResponse:
    payload = json.loads(request.body)
    invitation = await Invitation.objects.select_related("household").aget(code=code)
    guests = [g async for g in Guest.objects.filter(invitation=invitation).order_by("pk")]
    answers = {a["guest_id"]: a for a in payload["guests"]}
    for guest in guests:
        answer = answers.get(guest.pk)
        if answer is None:
            continue
        guest.attending = answer["attending"]
        guest.meal = answer.get("meal", "")
        guest.dietary = answer.get("dietary", "")
    await Guest.objects.abulk_update(guests, ["attending", "meal", "dietary"])
    coming = sum(1 for g in guests if g.attending)
    notify_couple(f"{invitation.household.name}: {coming} of {len(guests)} coming")  # bug: ADC201
    summary = "\n".join(f"{g.name}: {'yes' if g.attending else 'no'} {g.meal}" for g in guests)
    await _send_guest_copy(invitation.email, summary)
    return JsonResponse({"coming": coming})


@require_POST
async def plus_one(request: HttpRequest, code: str) -> JsonResponse:
    payload = json.loads(request.body)
    invitation = await Invitation.objects.aget(code=code)
    if not invitation.plus_one_allowed:
        return JsonResponse({"error": "no plus-one on this invitation"}, status=403)
    guest = await Guest.objects.acreate(invitation=invitation, name=payload["name"], attending=True)
    await notify_couple(f"{invitation.email} is bringing {guest.name}")
    send_mail(  # bug: ADC101
        "Plus-one confirmed",
        f"{guest.name} has been added to your invitation.",
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
    )
    return JsonResponse({"guest_id": guest.pk}, status=201)


async def song_requests(request: HttpRequest) -> JsonResponse:
    songs = [
        {"guest": s.name, "song": s.song_request}
        async for s in Guest.objects.exclude(song_request="").order_by("name")
    ]
    return JsonResponse({"songs": songs})
