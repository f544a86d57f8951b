from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thrive.cases.access import require_case_supervisor
from thrive.grants import actions
from thrive.grants.access import get_grant_for_user, grants_for_user
from thrive.grants.forms import FunderForm, GrantForm
from thrive.grants.models import Grant
from thrive.services.forms import add_errors, taxonomy_reference
from thrive.services.models import Service, ServiceType


@login_required
@require_GET
def grant_list(request):
    require_case_supervisor(request.user)
    grants = grants_for_user(request.user).with_spend().select_related("funder")
    return render(request, "grants/list.html", {"grants": grants})


@login_required
@require_GET
def grant_detail(request, pk):
    grant = get_grant_for_user(request.user, pk)
    services = Service.objects.filter(grant=grant)
    months = list(
        services.delivered()
        .annotate(month=TruncMonth("delivered_on"))
        .values("month")
        .annotate(services=Count("pk"), spent=Sum("cost"))
        .order_by("month")
    )
    spent = sum((month["spent"] or 0) for month in months)
    context = {
        "grant": grant,
        "allowable": grant.allowable_types.select_related("category"),
        "months": months,
        "spent": spent,
        "remaining": grant.amount - spent,
        "counts": service_counts(services),
    }
    return render(request, "grants/detail.html", context)


def service_counts(services):
    """Delivered services and distinct survivors under each funder's scheme (never a name)."""
    reference = taxonomy_reference()
    by_type = services.counts_by("type")
    labels = {t.code: t.label for t in ServiceType.objects.filter(code__in=by_type)}
    schemes = [
        (_("By service"), [(labels.get(code, code), n) for code, n in by_type.items()]),
        (
            _("By VOCA service code"),
            [
                (f"{code} · {reference['voca'].get(code, '')}", n)
                for code, n in services.counts_by("voca").items()
            ],
        ),
        (_("By HTCDS support plan type"), list(services.counts_by("htcds").items())),
        (
            _("By federal trafficking-grant category"),
            [
                (reference["federal"].get(code, code), n)
                for code, n in services.counts_by("federal").items()
            ],
        ),
    ]
    return [
        (title, [(label, services_n, survivors_n) for label, (services_n, survivors_n) in rows])
        for title, rows in schemes
    ]


@login_required
@require_http_methods(["GET", "POST"])
def grant_create(request):
    membership = require_case_supervisor(request.user)
    organization = membership.organization
    data = request.POST if request.method == "POST" else None
    form = GrantForm(data, instance=Grant(organization=organization), organization=organization)
    if form.is_bound and form.is_valid():
        try:
            grant = actions.grant_create(organization, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Grant %(name)s recorded.") % {"name": grant.name})
            return redirect("grants:detail", grant.pk)
    return render(request, "grants/form.html", {"form": form, "grant": None})


@login_required
@require_http_methods(["GET", "POST"])
def grant_edit(request, pk):
    grant = get_grant_for_user(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = GrantForm(data, instance=grant, organization=grant.organization)
    if form.is_bound and form.is_valid():
        try:
            changed = actions.grant_update(grant, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("grants:detail", grant.pk)
    # Form validation wrote the submitted values onto the instance: show the stored one.
    grant = get_grant_for_user(request.user, pk)
    return render(request, "grants/form.html", {"form": form, "grant": grant})


@login_required
@require_http_methods(["GET", "POST"])
def funder_create(request):
    membership = require_case_supervisor(request.user)
    organization = membership.organization
    data = request.POST if request.method == "POST" else None
    form = FunderForm(data, organization=organization)
    if form.is_bound and form.is_valid():
        try:
            funder = actions.funder_create(organization, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Funder %(name)s recorded: you can now record its grants.")
                % {"name": funder.name},
            )
            return redirect("grants:new")
    return render(request, "grants/funder_form.html", {"form": form})
