"""MDT case conferences: who reaches them, and their audited actions.

- A conference is seen by the case workers of its attending organizations, and by no one
  else (404). Its roster shows which cases are presented, by whom.
- A case summary is read only by a named attendee, only within the conference window, and
  only while the survivor's consent is in force and names the reader's organization: the
  consent is checked at every read, each read is an audit event, and so is each refusal.
- A case goes on the roster only under a consent of its survivor that covers MDT case
  conferences, releases the case summary and names every other attending organization.
- Action items belong to one attending organization and show at the case's later
  conferences ("carried forward") until they are closed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from thrive.accounts.access import membership_of
from thrive.accounts.models import Membership, Role
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.access import require_case_access
from thrive.cases.models import CASE_ROLES
from thrive.referrals.actions import _refuse
from thrive.referrals.models import (
    ActionItem,
    Category,
    Conference,
    ConferenceCase,
    Consent,
    Partner,
)

FACILITATING_ROLES = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)

# Access -------------------------------------------------------------------------------------


def conferences_for_user(user):
    """The conferences the user's organization attends (or facilitates)."""
    membership = require_case_access(user)
    return Conference.objects.filter(organizations=membership.organization_id)


def _one(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_conference_for_user(user, pk, *, write=False):
    return _one(conferences_for_user(user).select_related("facilitator"), pk)


def get_roster_entry_for_user(user, pk, *, write=False):
    """A roster entry of a conference the user's organization attends. Writing to it (adding
    an action item) is for the conference's attendees."""
    membership = require_case_access(user)
    entry = _one(
        ConferenceCase.objects.filter(
            conference__in=Conference.objects.filter(organizations=membership.organization_id)
        ).select_related("conference", "case", "organization", "consent"),
        pk,
    )
    if write:
        require_attendee(entry.conference, user)
    return entry


def get_action_item_for_user(user, pk, *, write=False):
    """An action item, for the organizations that attended its conference, its owner and the
    organization serving the survivor. Closing it is for the owner, the survivor's
    organization and the facilitator."""
    membership = require_case_access(user)
    organization = membership.organization_id
    attended = Conference.objects.filter(organizations=organization)
    item = _one(
        ActionItem.objects.filter(
            Q(owner_id=organization)
            | Q(case__organization_id=organization)
            | Q(conference_case__conference__in=attended)
        ).select_related("owner", "case", "conference_case__conference"),
        pk,
    )
    if write and not may_close_item(item, organization):
        raise PermissionDenied(
            _(
                "Only the owner of the action item, the organization serving the survivor "
                "and the facilitator close it."
            )
        )
    return item


def may_close_item(item, organization_id):
    return organization_id in (
        item.owner_id,
        item.case.organization_id,
        item.conference_case.conference.facilitator_id,
    )


def is_attendee(conference, user):
    return conference.attendees.filter(pk=user.pk).exists()


def require_attendee(conference, user):
    if not is_attendee(conference, user):
        raise PermissionDenied(_("Only the attendees of this conference do this."))


def _membership_among(user, organization_ids):
    """The membership the user acts under, if it is one of `organization_ids`' (the active
    one on pages and in the API; otherwise their first among them)."""
    membership = membership_of(user)
    if membership is None:
        membership = (
            Membership.objects.filter(user=user, organization_id__in=organization_ids)
            .select_related("organization")
            .order_by("organization__name")
            .first()
        )
    if membership is None or membership.organization_id not in organization_ids:
        return None
    return membership


# Consent ------------------------------------------------------------------------------------


def mdt_refusal(consent, *, case, organizations, on=None):
    """Why `consent` does not let `case`'s summary be presented to `organizations` (besides
    the one serving the survivor) at a case conference on `on`, or ''."""
    on = on or timezone.localdate()
    if consent.survivor_id != case.survivor_id:
        return _("This consent is another survivor's.")
    reason = consent.in_force_refusal(Consent.Purpose.MDT, [Category.CASE_SUMMARY], on)
    if reason:
        return reason
    others = [org for org in organizations if org.pk != case.organization_id]
    partners = {p.organization_id: p for p in Partner.objects.filter(organization__in=others)}
    for org in others:
        partner = partners.get(org.pk)
        if partner is None:
            return _(
                "%(organization)s has no entry in the partner directory, so no consent can name it."
            ) % {"organization": org.name}
        reason = consent.refusal(partner, [Category.CASE_SUMMARY], Consent.Purpose.MDT, on=on)
        if reason:
            return reason
    return ""


# Conferences --------------------------------------------------------------------------------


def _moment(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@transaction.atomic
def conference_create(facilitator, *, actor, data):
    """A case conference facilitated by a supervisor or program director of `facilitator`,
    which always attends. `data`: title, held_at, opens_at and closes_at (the window within
    which attendees read the summaries: it contains the meeting), organizations, attendees
    (case workers of the attending organizations)."""
    if not Membership.objects.filter(
        user=actor, organization=facilitator, role__in=FACILITATING_ROLES
    ).exists():
        raise PermissionDenied(_("Only supervisors and program directors may do this."))
    data = dict(data)
    organizations = {org.pk: org for org in data.pop("organizations", None) or []}
    organizations.setdefault(facilitator.pk, facilitator)
    attendees = list(data.pop("attendees", None) or [])
    errors = {}
    held, opens, closes = data.get("held_at"), data.get("opens_at"), data.get("closes_at")
    if opens and closes and closes <= opens:
        errors["closes_at"] = _("The window must close after it opens.")
    elif held and opens and held < opens:
        errors["opens_at"] = _("The window must open by the time the conference is held.")
    elif held and closes and held > closes:
        errors["closes_at"] = _("The window must stay open until the conference is held.")
    if not attendees:
        errors["attendees"] = _("Name at least one attendee.")
    else:
        members = set(
            Membership.objects.filter(
                user__in=attendees, organization_id__in=organizations, role__in=CASE_ROLES
            ).values_list("user_id", flat=True)
        )
        strangers = [user for user in attendees if user.pk not in members]
        if strangers:
            errors["attendees"] = _(
                "Attendees must be case managers, supervisors or program directors of an "
                "attending organization: %(names)s."
            ) % {"names": ", ".join(u.get_full_name() or u.get_username() for u in strangers)}
    conference = Conference(facilitator=facilitator, created_by=actor, **data)
    try:
        conference.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    conference.save()
    conference.organizations.set(organizations.values())
    conference.attendees.set(attendees)
    audit_record(
        conference,
        actor=actor,
        organization=facilitator,
        action=AuditEvent.Action.CREATE,
        detail={"organizations": sorted(organizations), "attendees": len(attendees)},
    )
    return conference


def roster_add(conference, *, case, actor, consent, summary):
    """Present `case` at the conference. The presenting organization is the case's, which
    must attend; the consent is checked now against every other attending organization,
    and a refusal is an audit event that stays."""
    organizations = list(conference.organizations.all())
    if case.organization_id not in {org.pk for org in organizations}:
        raise ValidationError(
            {"case": _("The organization serving this survivor does not attend this conference.")}
        )
    if not Membership.objects.filter(
        user=actor, organization_id=case.organization_id, role__in=CASE_ROLES
    ).exists():
        raise PermissionDenied(_("Only the organization serving the survivor presents the case."))
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = _("Write the summary the attendees will read.")
    if ConferenceCase.objects.filter(conference=conference, case=case).exists():
        errors["case"] = _("This case is already on the roster.")
    if consent is None:
        errors["consent"] = _("A case is presented only with the survivor's consent.")
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.get(pk=consent.pk)  # as it stands now, not as the caller read it
    refusal = mdt_refusal(consent, case=case, organizations=organizations)
    if refusal:
        _refuse(
            case,
            actor=actor,
            organization=case.organization,
            reason=refusal,
            detail={"conference": conference.pk, "consent": consent.pk},
        )
    with transaction.atomic():
        entry = ConferenceCase(
            conference=conference,
            organization=case.organization,
            case=case,
            consent=consent,
            summary=summary,
            added_by=actor,
        )
        entry.full_clean()
        entry.save()
        audit_record(
            entry,
            actor=actor,
            organization=case.organization,
            action=AuditEvent.Action.CREATE,
            detail={"conference": conference.pk, "consent": consent.pk},
        )
    return entry


def summary_refusal(entry, user, *, now=None, membership=None):
    """Why `user` may not read the roster entry's summary now, or ''."""
    now = now or timezone.now()
    conference = entry.conference
    if membership is None:
        organization_ids = set(conference.organizations.values_list("pk", flat=True))
        membership = _membership_among(user, organization_ids)
    if membership is None or not is_attendee(conference, user):
        return _("Only the people named as attendees of this conference read its summaries.")
    if not conference.is_open(now):
        return _("Summaries are readable from %(opens)s to %(closes)s.") % {
            "opens": _moment(conference.opens_at),
            "closes": _moment(conference.closes_at),
        }
    reader = (
        [] if membership.organization_id == entry.organization_id else [membership.organization]
    )
    return mdt_refusal(
        entry.consent, case=entry.case, organizations=reader, on=timezone.localdate(now)
    )


def summary_read(entry, *, user, now=None):
    """The case summary, for an attendee within the window while the consent allows it.
    Each read is an audit event; a refusal too, and it is raised as PermissionDenied."""
    organization_ids = set(entry.conference.organizations.values_list("pk", flat=True))
    membership = _membership_among(user, organization_ids)
    reason = summary_refusal(entry, user, now=now, membership=membership)
    organization = membership.organization if membership else None
    detail = {"conference": entry.conference_id, "part": "summary"}
    if reason:
        audit_record(
            entry,
            actor=user,
            organization=organization,
            action=AuditEvent.Action.REFUSE,
            detail={**detail, "reason": str(reason)},
        )
        raise PermissionDenied(reason)
    audit_record(
        entry, actor=user, organization=organization, action=AuditEvent.Action.VIEW, detail=detail
    )
    return entry.summary


# Action items -------------------------------------------------------------------------------


@transaction.atomic
def action_item_add(entry, *, actor, data):
    """A recommendation for one attending organization (`owner`), with a due date, added by
    an attendee."""
    conference = entry.conference
    require_attendee(conference, actor)
    data = dict(data)
    errors = {}
    owner = data.get("owner")
    if owner is not None and not conference.organizations.filter(pk=owner.pk).exists():
        errors["owner"] = _("The owner must be an organization attending this conference.")
    item = ActionItem(conference_case=entry, case=entry.case, **data)
    try:
        item.full_clean(exclude=["status", "closed_at", *errors])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    item.save()
    organization_ids = set(conference.organizations.values_list("pk", flat=True))
    membership = _membership_among(actor, organization_ids)
    audit_record(
        item,
        actor=actor,
        organization=membership.organization if membership else None,
        action=AuditEvent.Action.CREATE,
        detail={"conference": conference.pk, "owner": item.owner_id},
    )
    return item


@transaction.atomic
def action_item_close(item, *, actor, status=ActionItem.Status.DONE):
    """Close an open item, done or no longer needed: it is carried forward no more."""
    item = (
        ActionItem.objects.select_for_update()
        .select_related("case", "conference_case__conference")
        .get(pk=item.pk)
    )
    allowed = {
        item.owner_id,
        item.case.organization_id,
        item.conference_case.conference.facilitator_id,
    }
    membership = _membership_among(actor, allowed)
    if membership is None or not membership.works_cases:
        raise PermissionDenied(
            _(
                "Only the owner of the action item, the organization serving the survivor "
                "and the facilitator close it."
            )
        )
    if status not in (ActionItem.Status.DONE, ActionItem.Status.DROPPED):
        raise ValidationError({"status": _("Close an item as done or as no longer needed.")})
    if item.status != ActionItem.Status.OPEN:
        raise ValidationError(
            {
                "status": _("This action item was already closed on %(when)s.")
                % {"when": _moment(item.closed_at) if item.closed_at else "—"}
            }
        )
    item.status = status
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "closed_at"])
    audit_record(
        item,
        actor=actor,
        organization=membership.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["status"],
        detail={"status": status},
    )
    return item


def carried_items(conference, case_ids):
    """The open action items of earlier conferences for these cases: {case id: [items]}."""
    carried = {}
    items = (
        ActionItem.objects.filter(
            case_id__in=case_ids,
            status=ActionItem.Status.OPEN,
            conference_case__conference__held_at__lt=conference.held_at,
        )
        .select_related("owner", "case", "conference_case__conference")
        .order_by("due_on", "pk")
    )
    for item in items:
        carried.setdefault(item.case_id, []).append(item)
    return carried
