"""The import page, for program directors: check or import one CSV or XLSX file in the
template of docs/import.md, and download the example files."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from thrive.cases import imports
from thrive.cases.access import require_program_director

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Errors shown on the page; the count says how many more there are.
SHOWN_ERRORS = 500


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (one kind of record) or XLSX (a sheet per kind), at most 20 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than 20 MB: split it, or ask for the import_records command.")
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Give a .csv or .xlsx file (save an .xls file as .xlsx)."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    membership = require_program_director(request.user)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = imports.import_files(
                membership.organization,
                [(upload.name, upload.read())],
                actor=request.user,
                commit=request.POST.get("action") == "import",
            )
    else:
        form = ImportForm()
    context = {
        "form": form,
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "hidden_errors": max(0, len(result.errors) - SHOWN_ERRORS) if result else 0,
        "reference": imports.column_reference(),
        "service_types": imports.service_type_rows(),
        "kinds": imports.KIND_LABELS.items(),
    }
    return render(request, "imports/upload.html", context)


@login_required
@require_GET
def example(request):
    require_program_director(request.user)
    response = HttpResponse(imports.example_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="thrive-import-example.xlsx"'
    return response


@login_required
@require_GET
def example_csv(request, kind):
    require_program_director(request.user)
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(imports.example_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thrive-import-example-{kind}.csv"'
    return response
