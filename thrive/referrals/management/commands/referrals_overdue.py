"""Referrals not acknowledged in time: escalate them (once) and count them per organization.

Run daily (or hourly) from cron or a systemd timer. Escalated referrals are highlighted for
supervisors on both organizations' referral lists. The output leaves Thrive (mail, logs), so
it holds counts and organizations' short names only, never a person or a referral's content.
"""

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from thrive.accounts.models import Organization
from thrive.referrals import actions
from thrive.referrals.models import Referral


class Command(BaseCommand):
    help = "Escalate referrals past their acknowledgement time and count them per organization."

    def handle(self, *args, **options):
        now = timezone.now()
        escalated = actions.referrals_escalate(now)
        overdue = Referral.objects.overdue(now).order_by()
        received = dict(
            overdue.exclude(recipient=None)
            .values("recipient")
            .annotate(n=Count("pk"))
            .values_list("recipient", "n")
        )
        sent = dict(
            overdue.values("organization").annotate(n=Count("pk")).values_list("organization", "n")
        )
        # External partners have no inbox: the sender follows those up by phone or mail.
        external = dict(
            overdue.filter(recipient=None)
            .values("organization")
            .annotate(n=Count("pk"))
            .values_list("organization", "n")
        )
        slugs = dict(
            Organization.objects.filter(pk__in={*received, *sent}).values_list("pk", "slug")
        )
        for pk in sorted(slugs, key=slugs.get):
            self.stdout.write(
                f"{slugs[pk]}: {received.get(pk, 0)} received and not yet acknowledged, "
                f"{sent.get(pk, 0)} sent and not yet acknowledged "
                f"({external.get(pk, 0)} to partners outside Thrive)"
            )
        total = sum(sent.values())
        self.stdout.write(
            f"{total} overdue referral{'s' if total != 1 else ''}, {escalated} newly escalated."
        )
