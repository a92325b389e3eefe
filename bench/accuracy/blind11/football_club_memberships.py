"""Membership renewals for Kingsmead Town FC (Django 5, async views).

Also home of the `send_renewal_reminders` management command, which
memberships/management/commands/ re-exports.
"""
import asyncio
from datetime import date

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail

from .cards import render_card_pdf
from .models import Member, Reminder, Renewal

SEASON = "2027/28"
FROM = "memberships@kingsmeadtownfc.example"

sg = SendGridAPIClient(settings.SENDGRID_API_KEY)


def _receipt(member: Member, renewal: Renewal) -> Mail:
    return Mail(
        from_email=FROM,
        to_emails=member.email,
        subject=f"Your {SEASON} membership",
        html_content=(
            f"<p>Thanks {member.first_name}! {member.tier.name} membership for {SEASON},"
            f" &pound;{renewal.amount}. Seat {member.seat or 'unreserved'}.</p>"
        ),
    )


@require_POST
async def renew(request):
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "login required"}, status=401)
    member = await Member.objects.select_related("tier").aget(user=user)
    if await Renewal.objects.filter(member=member, season=SEASON).aexists():
        return JsonResponse({"error": "already renewed"}, status=409)
    renewal = await Renewal.objects.acreate(member=member, season=SEASON, amount=member.tier.price)
    response = sg.send(_receipt(member, renewal))  # bug: ADC101
    renewal.receipt_id = response.headers.get("X-Message-Id", "")
    await renewal.asave(update_fields=["receipt_id"])
    return JsonResponse({"season": SEASON, "amount": str(renewal.amount)})


@require_POST
async def resend_receipt(request):
    user = await request.auser()
    renewal = await Renewal.objects.select_related("member__tier").aget(member__user=user, season=SEASON)
    await sync_to_async(sg.send, thread_sensitive=False)(_receipt(renewal.member, renewal))
    return JsonResponse({"sent": True})


async def membership_card(request):
    user = await request.auser()
    member = await Member.objects.aget(user=user)
    pdf = await sync_to_async(render_card_pdf, thread_sensitive=False)(member.pk, SEASON)
    return HttpResponse(pdf, content_type="application/pdf")


async def remind(member_id: int) -> None:
    member = await Member.objects.select_related("tier").aget(pk=member_id)
    mail = Mail(
        from_email=FROM,
        to_emails=member.email,
        subject=f"Renew for {SEASON} and keep seat {member.seat}" if member.seat else f"Renew for {SEASON}",
        html_content=f"<p>{member.tier.name}: &pound;{member.tier.price}. Renew by 30 June.</p>",
    )
    await sync_to_async(sg.send, thread_sensitive=False)(mail)
    await Reminder.objects.acreate(member=member, season=SEASON, sent_on=date.today())


class Command(BaseCommand):
    help = "Email a renewal reminder to every active member who has not renewed yet."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        pending = list(
            Member.objects.filter(active=True)
            .exclude(renewals__season=SEASON)
            .values_list("pk", flat=True)
        )
        if options["dry_run"]:
            self.stdout.write(f"{len(pending)} members would be reminded")
            return
        for member_id in pending:
            asyncio.run(remind(member_id))  # bug: ADC505
        self.stdout.write(self.style.SUCCESS(f"reminded {len(pending)} members"))
