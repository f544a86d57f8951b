"""Outcome pages: record an assessment (with the anchors), read one, record an outcome
event, ask for graduation and decide on it, and the instrument reference. A survivor's
progress itself shows on the survivor's page (templates/outcomes/partials/progress.html)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.access import require_membership
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.access import get_case_for_user, require_case_supervisor
from thrive.cases.forms import add_action_errors
from thrive.outcomes import actions
from thrive.outcomes.access import get_assessment_for_user, get_review_for_user
from thrive.outcomes.forms import (
    AssessmentForm,
    GraduationDecisionForm,
    GraduationRequestForm,
    OutcomeEventForm,
)
from thrive.outcomes.models import Assessment, Domain, GraduationReview, Instrument


def _progress_url(case):
    return reverse("survivors:detail", args=[case.survivor_id]) + f"#progress-{case.pk}"


def _default_kind(case):
    if not case.is_open:
        return Assessment.Kind.FOLLOW_UP
    if not case.assessments.exists():
        return Assessment.Kind.INTAKE
    return Assessment.Kind.PERIODIC


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request, case_id):
    """The assessment form: every domain with the anchor of each level beside it."""
    case = get_case_for_user(request.user, case_id, write=True)
    instrument = actions.instrument_for(case.program)
    form = AssessmentForm(
        request.POST or None, instrument=instrument, initial={"kind": _default_kind(case)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.assessment_record(
                case,
                actor=request.user,
                instrument=instrument,
                kind=form.cleaned_data["kind"],
                assessed_on=form.cleaned_data["assessed_on"],
                levels=form.levels(),
                notes=form.notes(),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Assessment recorded."))
            return redirect(_progress_url(case))
    context = {"case": case, "form": form, "instrument": instrument}
    return render(request, "outcomes/assessment_form.html", context)


@login_required
@require_GET
def assessment_detail(request, assessment_id):
    assessment = get_assessment_for_user(request.user, assessment_id)
    audit_record(
        assessment,
        actor=request.user,
        organization=assessment.organization,
        action=AuditEvent.Action.VIEW,
    )
    levels = {lv.number: lv.label for lv in assessment.instrument.levels.all()}
    rows = [
        {
            "domain": s.domain,
            "level": s.level,
            "label": levels.get(s.level, ""),
            "anchor": s.domain.anchor(s.level) if s.level is not None else "",
            "note": s.note,
        }
        for s in assessment.scores.select_related("domain")
    ]
    context = {"assessment": assessment, "rows": rows}
    return render(request, "outcomes/assessment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request, case_id):
    case = get_case_for_user(request.user, case_id, write=True)
    form = OutcomeEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.outcome_event_record(case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Outcome event recorded."))
            return redirect(_progress_url(case))
    context = {
        "case": case,
        "form": form,
        "title": _("Record an outcome event"),
        "subtitle": case.label,
        "intro": _(
            "Each kind of event is counted on its own. An arrest is not re-exploitation: "
            "survivors are often arrested for acts they were made to commit."
        ),
        "submit_label": _("Record the event"),
        "cancel_url": _progress_url(case),
    }
    return render(request, "cases/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def graduation(request, case_id):
    """Readiness and the case's graduation reviews; POST asks a supervisor to approve."""
    case = get_case_for_user(request.user, case_id)
    can_write = case.may_be_written_by(request.user)
    form = GraduationRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(
                _("Only the case manager, the case team and supervisors may change this case.")
            )
        if form.is_valid():
            try:
                actions.graduation_request(
                    case, actor=request.user, note=form.cleaned_data["request_note"]
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Graduation is waiting for a supervisor's approval."))
                return redirect("outcomes:graduation", case.pk)
    return _graduation_page(request, case, form=form)


def _graduation_page(request, case, *, form=None, decision_form=None):
    assessment, ready, below = actions.case_readiness(case)
    reviews = list(case.graduation_reviews.select_related("requested_by", "decided_by"))
    pending = next((r for r in reviews if r.status == GraduationReview.Status.PENDING), None)
    context = {
        "case": case,
        "form": form or GraduationRequestForm(),
        "assessment": assessment,
        "ready": ready,
        "below": below,
        "reviews": reviews,
        "pending": pending,
        "can_write": case.may_be_written_by(request.user),
        "decision_form": decision_form or (GraduationDecisionForm() if pending else None),
        "supervises": request.user.membership.supervises,
    }
    return render(request, "outcomes/graduation.html", context)


@login_required
@require_POST
def graduation_decide(request, review_id):
    """A supervisor approves (the case graduates) or declines (with a reason)."""
    review = get_review_for_user(request.user, review_id, decide=True)
    form = GraduationDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == GraduationReview.Status.APPROVED:
                actions.graduation_approve(
                    review,
                    actor=request.user,
                    graduated_on=data["graduated_on"],
                    note=data["decision_note"],
                )
                messages.success(
                    request, _("Case %(label)s graduated.") % {"label": review.case.label}
                )
            else:
                actions.graduation_decline(review, actor=request.user, note=data["decision_note"])
                messages.success(request, _("Graduation declined; the case manager will see why."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect("outcomes:graduation", review.case_id)
    case = get_case_for_user(request.user, review.case_id)
    return _graduation_page(request, case, decision_form=form)


@login_required
@require_GET
def graduations_pending(request):
    """Supervisors' queue: graduation requests waiting for a decision."""
    membership = require_case_supervisor(request.user)
    reviews = (
        GraduationReview.objects.filter(
            organization=membership.organization, status=GraduationReview.Status.PENDING
        )
        .select_related("case__program", "case__survivor", "requested_by")
        .order_by("requested_at")
    )
    return render(request, "outcomes/graduations.html", {"reviews": reviews})


@login_required
@require_GET
def instruments(request):
    require_membership(request.user)
    versions = Instrument.objects.prefetch_related("domains").order_by("code", "-version")
    return render(request, "outcomes/instruments.html", {"instruments": versions})


@login_required
@require_GET
def instrument(request, code, version):
    """The instrument reference: each domain's anchor per level."""
    require_membership(request.user)
    found = (
        Instrument.objects.filter(code=code, version=version)
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("order")))
        .first()
    )
    if found is None:
        raise Http404
    levels = list(found.levels.all())
    domains = [
        {"domain": d, "anchors": [(lv, d.anchor(lv.number)) for lv in levels]}
        for d in found.domains.all()
    ]
    return render(
        request,
        "outcomes/instrument.html",
        {"instrument": found, "levels": levels, "domains": domains},
    )
