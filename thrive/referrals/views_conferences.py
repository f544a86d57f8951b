"""MDT case conference pages: the conferences an organization attends, a conference with its
roster, summaries and action items, and the forms that add to them.

Reads go through thrive.referrals.conferences (404 outside the attending organizations);
each summary shown is read through `summary_read`, so it is checked and audited, and where it
may not be shown the page says why.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.cases.access import get_case_for_user, require_case_access, require_case_supervisor
from thrive.cases.forms import add_action_errors
from thrive.cases.models import Case
from thrive.referrals import conferences
from thrive.referrals.forms_conferences import (
    ActionItemForm,
    ConferenceForm,
    ItemCloseForm,
    RosterForm,
)
from thrive.referrals.models import ActionItem


@login_required
@require_GET
def conference_list(request):
    """The conferences the user's organization attends, latest first."""
    membership = require_case_access(request.user)
    found = (
        conferences.conferences_for_user(request.user)
        .select_related("facilitator")
        .annotate(cases=Count("roster", distinct=True))
        .order_by("-held_at", "-pk")
    )
    page = Paginator(found, settings.THRIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    attending = set(
        request.user.conferences.filter(pk__in=[c.pk for c in page]).values_list("pk", flat=True)
    )
    context = {
        "page": page,
        "attending": attending,
        "may_create": membership.supervises,
        "now": timezone.now(),
    }
    return render(request, "referrals/conference_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conference_new(request):
    membership = require_case_supervisor(request.user)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {
        "held_at": now,
        "opens_at": now - timezone.timedelta(days=1),
        "closes_at": now + timezone.timedelta(days=1),
        "organizations": [membership.organization_id],
        "attendees": [request.user.pk],
    }
    form = ConferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conference = conferences.conference_create(
                membership.organization, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Case conference scheduled."))
            return redirect("referrals:conference", conference.pk)
    context = {
        "form": form,
        "title": _("Schedule a case conference"),
        "intro": _(
            "Attendees read the case summaries only between the window's opening and closing."
        ),
        "submit_label": _("Schedule"),
        "cancel_url": reverse("referrals:conferences"),
    }
    return render(request, "referrals/conference_form.html", context)


@login_required
@require_GET
def conference_detail(request, conference_id):
    conference = conferences.get_conference_for_user(request.user, conference_id)
    membership = request.user.membership
    entries = list(
        conference.roster.select_related("organization", "case", "consent").order_by("added_at")
    )
    own_items = {}
    for item in ActionItem.objects.filter(conference_case__in=entries).select_related(
        "owner", "case", "conference_case__conference"
    ):
        own_items.setdefault(item.conference_case_id, []).append(item)
    carried = conferences.carried_items(conference, [entry.case_id for entry in entries])
    attendee = conferences.is_attendee(conference, request.user)
    now = timezone.now()
    for entry in entries:
        entry.conference = conference
        try:
            entry.shown_summary = conferences.summary_read(entry, user=request.user, now=now)
            entry.notice = ""
        except PermissionDenied as refusal:
            entry.shown_summary, entry.notice = None, str(refusal)
        entry.items = own_items.get(entry.pk, [])
        entry.carried = carried.get(entry.case_id, [])
        for item in entry.items + entry.carried:
            item.may_close = item.status == ActionItem.Status.OPEN and (
                conferences.may_close_item(item, membership.organization_id)
            )
    context = {
        "conference": conference,
        "entries": entries,
        "organizations": conference.organizations.order_by("name"),
        "attendees": conference.attendees.order_by("first_name", "last_name", "username"),
        "attendee": attendee,
        "is_open": conference.is_open(now),
    }
    return render(request, "referrals/conference_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roster_new(request, conference_id):
    """Present a case of the user's organization, under the survivor's consent."""
    conference = conferences.get_conference_for_user(request.user, conference_id)
    membership = request.user.membership
    cases = Case.objects.visible_to(request.user).open()
    form = RosterForm(request.POST or None, cases=cases, organization_id=membership.organization_id)
    if request.method == "POST" and form.is_valid():
        case = get_case_for_user(request.user, form.cleaned_data["case"].pk, write=True)
        try:
            conferences.roster_add(
                conference,
                case=case,
                actor=request.user,
                consent=form.cleaned_data["consent"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Case added to the roster."))
            return redirect("referrals:conference", conference.pk)
    context = {
        "form": form,
        "title": _("Add a case to the roster"),
        "subtitle": conference.title,
        "intro": _(
            "Only the survivor's consent to MDT case conferences, naming every attending "
            "organization, allows the case summary to be shown to the attendees."
        ),
        "submit_label": _("Add to the roster"),
        "cancel_url": reverse("referrals:conference", args=[conference.pk]),
    }
    return render(request, "referrals/conference_form.html", context)


def _entry_of(request, conference_id, roster_id, *, write=False):
    conference = conferences.get_conference_for_user(request.user, conference_id)
    entry = conferences.get_roster_entry_for_user(request.user, roster_id, write=write)
    if entry.conference_id != conference.pk:
        raise Http404
    return conference, entry


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request, conference_id, roster_id):
    """An action item for one attending organization, added by an attendee."""
    conference, entry = _entry_of(request, conference_id, roster_id, write=True)
    form = ActionItemForm(request.POST or None, conference=conference)
    if request.method == "POST" and form.is_valid():
        try:
            conferences.action_item_add(entry, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Action item added."))
            return redirect("referrals:conference", conference.pk)
    context = {
        "form": form,
        "title": _("Add an action item"),
        "subtitle": f"{conference.title} · {entry.case.label}",
        "submit_label": _("Add the action item"),
        "cancel_url": reverse("referrals:conference", args=[conference.pk]),
    }
    return render(request, "referrals/conference_form.html", context)


@login_required
@require_POST
def item_close(request, item_id):
    """Close an action item as done (or, with status=dropped, as no longer needed)."""
    item = conferences.get_action_item_for_user(request.user, item_id, write=True)
    form = ItemCloseForm(request.POST)
    status = (form.is_valid() and form.cleaned_data["status"]) or ActionItem.Status.DONE
    try:
        conferences.action_item_close(item, actor=request.user, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Action item closed."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("referrals:conference", item.conference_case.conference_id)
